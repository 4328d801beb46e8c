-- mart_indicator_latest repeats, for each indicator, the city (persons) row of
-- mart_indicator_values at its latest period: the same value, interval and England comparison.
-- Fails with the indicators whose headline row differs from (or is missing in) the values mart.
select latest.indicator_id, latest.latest_period
from {{ ref('mart_indicator_latest') }} as latest
left join {{ ref('mart_indicator_values') }} as city
    on latest.indicator_id = city.indicator_id
    and latest.latest_period = city.period
    and city.geography_level = 'city'
where city.indicator_id is null
    or latest.value is distinct from city.value
    or latest.lower_95 is distinct from city.lower_95
    or latest.upper_95 is distinct from city.upper_95
    or latest.lower_998 is distinct from city.lower_998
    or latest.upper_998 is distinct from city.upper_998
    or latest.is_suppressed is distinct from city.is_suppressed
    or latest.england_comparison is distinct from city.england_comparison
