-- One row per Marmot principle (and the headline outcomes): how many indicators are
-- improving or worsening, better or worse than England, and whose deprivation gap widened
-- or narrowed in their latest period; how many of the England comparisons were made against an
-- approximate England value (no Fingertips value of that period), so that the counts say so.
select
    p.principle_key,
    p.principle_number,
    p.principle_label,
    count(latest.indicator_id) as indicators,
    count(*) filter (where latest.trend_code in ('increasing_better', 'decreasing_better')) as improving,
    count(*) filter (where latest.trend_code in ('increasing_worse', 'decreasing_worse')) as worsening,
    count(*) filter (where latest.trend_code in ('no_significant_change', 'increasing', 'decreasing'))
        as no_significant_or_no_judgement,
    count(*) filter (where latest.trend_code = 'not_calculated') as trend_not_calculated,
    count(*) filter (where latest.england_comparison = 'Better') as better_than_england,
    count(*) filter (where latest.england_comparison = 'Similar') as similar_to_england,
    count(*) filter (where latest.england_comparison = 'Worse') as worse_than_england,
    count(*) filter (where latest.england_comparison in ('Better', 'Similar', 'Worse', 'Higher', 'Lower')
                     and latest.england_value_is_approximate) as compared_with_approximate_england,
    count(*) filter (where latest.quintile_gap_change = 'Widening') as gaps_widening,
    count(*) filter (where latest.quintile_gap_change = 'Narrowing') as gaps_narrowing
from {{ ref('principles') }} as p
left join {{ ref('mart_indicator_latest') }} as latest using (principle_key)
group by all
