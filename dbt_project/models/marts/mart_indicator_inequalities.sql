-- Inequality across deprivation, one row per indicator and period with IMD quintile values: the gap between
-- the least and most deprived quintiles, the slope and relative indices of inequality (SII, RII) with 95%
-- limits or the reason there are none, their change since the previous period, whether the SII widens over
-- the last five periods, and the definitions and sign in words (sii_definition).
select
    sii.indicator_id,
    cat.indicator_name,
    sii.period,
    periods.is_complete as period_is_complete,
    periods.period_note,
    cat.unit,
    cat.polarity,
    round(gaps.value_q1, 4) as value_most_deprived,
    round(gaps.value_q5, 4) as value_least_deprived,
    round(gaps.gap, 4) as quintile_gap,
    round(gaps.gap_lower_95, 4) as quintile_gap_lower_95,
    round(gaps.gap_upper_95, 4) as quintile_gap_upper_95,
    coalesce(cast(gaps.gap_change as varchar), 'Cannot be calculated') as quintile_gap_change,
    coalesce(cast(gaps.gap_change_code as varchar), 'not_calculated') as quintile_gap_change_code,
    round(sii.sii, 4) as sii,
    round(sii.sii_lower_95, 4) as sii_lower_95,
    round(sii.sii_upper_95, 4) as sii_upper_95,
    round(sii.rii, 4) as rii,
    round(sii.rii_lower_95, 4) as rii_lower_95,
    round(sii.rii_upper_95, 4) as rii_upper_95,
    cast(sii.sii_reason as varchar) as sii_reason,
    cast(sii.sii_change as varchar) as sii_change,
    cast(sii.sii_change_code as varchar) as sii_change_code,
    cast(sii.sii_trend as varchar) as sii_trend,
    cast(sii.sii_trend_code as varchar) as sii_trend_code,
    cast(sii.sii_trend_reason as varchar) as sii_trend_reason,
    round(sii.sii_slope, 4) as sii_trend_slope,
    round(sii.sii_slope_lower_95, 4) as sii_trend_slope_lower_95,
    round(sii.sii_slope_upper_95, 4) as sii_trend_slope_upper_95,
    cast(sii.sii_definition as varchar) as sii_definition
from {{ ref('int_indicator_quintile_sii') }} as sii
inner join {{ ref('indicator_catalogue') }} as cat using (indicator_id)
inner join {{ ref('int_indicator_periods') }} as periods using (indicator_id, period)
left join {{ ref('int_indicator_quintile_gaps') }} as gaps using (indicator_id, period)
