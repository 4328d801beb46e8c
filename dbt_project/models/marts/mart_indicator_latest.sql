-- The bigger picture, one row per indicator: the latest complete city value with its England
-- and region comparisons of the same period, the recent trend (with its code and reason), the gap between the
-- most and least deprived quintiles and the slope and relative indices of inequality. A part year is never the
-- latest value (int_indicator_periods).
select
    latest.indicator_id,
    latest.indicator_name,
    latest.principle_key,
    latest.principle_label,
    latest.period as latest_period,
    latest.unit,
    latest.polarity,
    latest.value,
    latest.lower_95,
    latest.upper_95,
    latest.lower_998,
    latest.upper_998,
    latest.is_suppressed,
    latest.england_value,
    latest.england_value_is_approximate,
    latest.england_value_source,
    latest.comparators_are_synthetic,
    latest.england_comparison,
    latest.england_comparison_code,
    latest.region_value,
    latest.region_comparison,
    latest.region_comparison_code,
    trends.trend_label,
    trends.trend_code,
    trends.trend_reason,
    trends.periods_available,
    ineq.value_most_deprived,
    ineq.value_least_deprived,
    ineq.quintile_gap,
    ineq.quintile_gap_lower_95,
    ineq.quintile_gap_upper_95,
    coalesce(ineq.quintile_gap_change, 'Cannot be calculated') as quintile_gap_change,
    ineq.sii,
    ineq.sii_lower_95,
    ineq.sii_upper_95,
    ineq.rii,
    ineq.rii_lower_95,
    ineq.rii_upper_95,
    coalesce(ineq.sii_reason, case when ineq.indicator_id is null then 'no IMD quintile values for this indicator' end)
        as sii_reason,
    coalesce(ineq.sii_trend, 'Cannot be calculated') as sii_trend,
    coalesce(ineq.sii_trend_code, 'not_calculated') as sii_trend_code
from {{ ref('mart_indicator_values') }} as latest
inner join {{ ref('int_indicator_trends') }} as trends
    on latest.indicator_id = trends.indicator_id and latest.period = trends.latest_period
left join {{ ref('mart_indicator_inequalities') }} as ineq
    on latest.indicator_id = ineq.indicator_id and latest.period = ineq.period
where latest.geography_level = 'city'
