-- Each city value by sex or ethnic group against the breakdown's stated reference group (White; Male) and
-- against Coventry as a whole: ratio and difference with 95% limits and a label by polarity. For
-- p7_stop_search_rate the ratio against White is the stop-and-search disparity ratio.
select
    c.indicator_id,
    cat.indicator_name,
    c.period,
    periods.is_complete as period_is_complete,
    periods.period_note,
    cat.unit,
    cat.polarity,
    cast(c.breakdown as varchar) as breakdown,
    cast(c.breakdown_value as varchar) as breakdown_value,
    cast(c.comparator_type as varchar) as comparator_type,
    cast(c.comparator as varchar) as comparator,
    case when c.comparator_type = 'reference_group' then refs.note end as reference_note,
    round(c.value, 4) as value,
    round(c.comparator_value, 4) as comparator_value,
    round(c.ratio, 4) as ratio,
    round(c.ratio_lower_95, 4) as ratio_lower_95,
    round(c.ratio_upper_95, 4) as ratio_upper_95,
    round(c.difference, 4) as difference,
    round(c.difference_lower_95, 4) as difference_lower_95,
    round(c.difference_upper_95, 4) as difference_upper_95,
    cast(c.comparison as varchar) as comparison,
    cast(c.comparison_code as varchar) as comparison_code,
    cast(c.comparison_reason as varchar) as comparison_reason
from {{ ref('int_indicator_group_comparisons') }} as c
inner join {{ ref('indicator_catalogue') }} as cat using (indicator_id)
inner join {{ ref('int_indicator_periods') }} as periods using (indicator_id, period)
inner join {{ ref('comparison_reference_groups') }} as refs using (breakdown)
