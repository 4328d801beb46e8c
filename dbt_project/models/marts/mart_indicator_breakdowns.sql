-- Published city-wide indicator values by sex and by ethnic group, after disclosure control
-- (secondary suppression makes sure no group can be recovered from the persons value).
select
    v.indicator_id,
    v.period,
    periods.is_complete as period_is_complete,
    periods.period_note,
    v.breakdown,
    v.breakdown_value,
    v.published_numerator as numerator,
    v.published_denominator as denominator,
    round(v.published_value, 4) as value,
    round(v.published_lower_95, 4) as lower_95,
    round(v.published_upper_95, 4) as upper_95,
    round(v.published_lower_998, 4) as lower_998,
    round(v.published_upper_998, 4) as upper_998,
    v.is_suppressed,
    cast(v.suppression_reason as varchar) as suppression_reason,
    {{ published_comparison('eng.england_comparison') }} as england_comparison,
    {{ published_comparison('eng.england_comparison_code', code=true) }} as england_comparison_code,
    coalesce(eng.england_value_is_approximate, false) as england_value_is_approximate
from {{ ref('int_indicator_values__disclosure_controlled') }} as v
inner join {{ ref('int_indicator_england_comparisons') }} as eng
    using (indicator_id, period, geography_level, area_code, breakdown, breakdown_value)
inner join {{ ref('int_indicator_periods') }} as periods using (indicator_id, period)
where v.breakdown <> 'persons'
