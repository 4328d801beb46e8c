-- Published indicator values: every indicator, period and area, after disclosure control.
-- Suppressed rows keep their place but lose the numbers (never published).
select
    v.indicator_id,
    cat.indicator_name,
    cat.principle_key,
    p.principle_label,
    v.period,
    v.geography_level,
    v.area_code,
    v.area_name,
    cat.unit,
    case when v.is_suppressed then null else v.numerator end as numerator,
    case when v.is_suppressed then null else v.denominator end as denominator,
    case when v.is_suppressed then null else round(v.value, 4) end as value,
    case when v.is_suppressed then null else round(v.lower_95, 4) end as lower_95,
    case when v.is_suppressed then null else round(v.upper_95, 4) end as upper_95,
    v.is_suppressed,
    cast(v.suppression_reason as varchar) as suppression_reason,
    cat.polarity,
    cat.method
from {{ ref('int_indicator_values') }} as v
inner join {{ ref('indicator_catalogue') }} as cat using (indicator_id)
inner join {{ ref('principles') }} as p using (principle_key)
