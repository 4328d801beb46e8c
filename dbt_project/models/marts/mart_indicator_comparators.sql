-- The comparators of every indicator period, as published: England, the West Midlands region, each
-- peer authority and the peers' median, all of the same period (Fingertips), or England's seeded
-- approximate value where Fingertips has none (source approximate_seed, is_approximate); with the
-- spread of all upper-tier authorities of that period (minimum, quartiles, maximum) for a spine chart.
select
    c.indicator_id,
    cat.indicator_name,
    c.period,
    cast(c.fingertips_period as varchar) as fingertips_period,
    cast(c.comparator_kind as varchar) as comparator_kind,
    cast(c.area_code as varchar) as area_code,
    cast(c.area_name as varchar) as area_name,
    round(c.value, 4) as value,
    round(c.lower_95, 4) as lower_95,
    round(c.upper_95, 4) as upper_95,
    round(c.lower_99_8, 4) as lower_99_8,
    round(c.upper_99_8, 4) as upper_99_8,
    cast(c.peers_with_values as integer) as peers_with_values,
    cast(c.source as varchar) as source,
    c.is_approximate,
    c.is_synthetic,
    c.is_mapping_verified,
    c.is_peer_list_verified,
    cast(c.fingertips_indicator_id as integer) as fingertips_indicator_id,
    cast(q.authorities as integer) as authorities,
    round(q.authorities_min, 4) as authorities_min,
    round(q.authorities_q1, 4) as authorities_q1,
    round(q.authorities_median, 4) as authorities_median,
    round(q.authorities_q3, 4) as authorities_q3,
    round(q.authorities_max, 4) as authorities_max
from {{ ref('int_indicator_comparators') }} as c
inner join {{ ref('indicator_catalogue') }} as cat using (indicator_id)
left join {{ ref('int_indicator_comparator_quartiles') }} as q using (indicator_id, period)
