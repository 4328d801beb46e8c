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
    round(gaps.value_q1, 4) as value_most_deprived,
    round(gaps.value_q5, 4) as value_least_deprived,
    round(gaps.gap, 4) as quintile_gap,
    round(gaps.gap_lower_95, 4) as quintile_gap_lower_95,
    round(gaps.gap_upper_95, 4) as quintile_gap_upper_95,
    coalesce(cast(gaps.gap_change as varchar), 'Cannot be calculated') as quintile_gap_change,
    round(sii.sii, 4) as sii,
    round(sii.sii_lower_95, 4) as sii_lower_95,
    round(sii.sii_upper_95, 4) as sii_upper_95,
    round(sii.rii, 4) as rii,
    round(sii.rii_lower_95, 4) as rii_lower_95,
    round(sii.rii_upper_95, 4) as rii_upper_95,
    case
        when sii.indicator_id is null then 'no IMD quintile values for this indicator'
        else cast(sii.sii_reason as varchar)
    end as sii_reason,
    coalesce(cast(sii.sii_trend as varchar), 'Cannot be calculated') as sii_trend,
    coalesce(cast(sii.sii_trend_code as varchar), 'not_calculated') as sii_trend_code
from {{ ref('mart_indicator_values') }} as latest
inner join {{ ref('int_indicator_trends') }} as trends
    on latest.indicator_id = trends.indicator_id and latest.period = trends.latest_period
left join {{ ref('int_indicator_quintile_gaps') }} as gaps
    on latest.indicator_id = gaps.indicator_id and latest.period = gaps.period
left join {{ ref('int_indicator_quintile_sii') }} as sii
    on latest.indicator_id = sii.indicator_id and latest.period = sii.period
where latest.geography_level = 'city'
