-- Published indicator values (persons): every indicator, period and area (city, wards, IMD
-- quintiles) after disclosure control, compared with England and the West Midlands region of
-- the same period (int_indicator_comparators). Suppressed rows keep their place but lose the
-- numbers. A part year (int_indicator_periods) is published with its note and not compared.
select
    v.indicator_id,
    cat.indicator_name,
    cat.principle_key,
    p.principle_label,
    v.period,
    periods.is_complete as period_is_complete,
    periods.period_note,
    v.geography_level,
    v.area_code,
    v.area_name,
    cat.unit,
    v.published_numerator as numerator,
    v.published_denominator as denominator,
    round(v.published_value, 4) as value,
    round(v.published_lower_95, 4) as lower_95,
    round(v.published_upper_95, 4) as upper_95,
    round(v.published_lower_998, 4) as lower_998,
    round(v.published_upper_998, 4) as upper_998,
    v.is_suppressed,
    cast(v.suppression_reason as varchar) as suppression_reason,
    cat.polarity,
    cat.method,
    eng.england_value,
    coalesce(eng.england_value_is_approximate, false) as england_value_is_approximate,
    cast(eng.england_value_source as varchar) as england_value_source,
    coalesce(eng.comparators_are_synthetic, false) as comparators_are_synthetic,
    {{ published_comparison('eng.england_comparison') }} as england_comparison,
    {{ published_comparison('eng.england_comparison_code', code=true) }} as england_comparison_code,
    eng.region_value,
    {{ published_comparison('eng.region_comparison') }} as region_comparison,
    {{ published_comparison('eng.region_comparison_code', code=true) }} as region_comparison_code
from {{ ref('int_indicator_values__disclosure_controlled') }} as v
inner join {{ ref('indicator_catalogue') }} as cat using (indicator_id)
inner join {{ ref('principles') }} as p on cat.principle_key = p.principle_key
inner join {{ ref('int_indicator_england_comparisons') }} as eng
    using (indicator_id, period, geography_level, area_code, breakdown, breakdown_value)
inner join {{ ref('int_indicator_periods') }} as periods using (indicator_id, period)
where v.breakdown = 'persons'
