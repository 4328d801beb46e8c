-- Data coverage per partner dataset: the periods received against the periods expected by the
-- contract schedule, from the first period received to the last one already due when the warehouse
-- was built. Due dates and statuses come from marmot/monitor/freshness.py (the rule the freshness
-- summary, the reminders and the platform freshness gate use): a period not received is missing
-- once it is overdue by more than the grace days, before that it is only late.
with periods as (
    select * from {{ ref('stg_contracts__dataset_periods') }}
),

latest_batches as (
    select
        partner,
        dataset,
        max(received_at) as latest_received_at
    from {{ ref('stg_platform__ledger') }}
    where is_loaded
    group by all
)

select
    schedule.partner,
    schedule.dataset,
    schedule.frequency,
    schedule.period_type,
    min(periods.period) filter (where periods.is_received) as first_period_received,
    max(periods.period) filter (where periods.is_received) as latest_period_received,
    count(periods.period) filter (where periods.is_received) as periods_received,
    count(periods.status) as periods_expected,
    count(periods.period) filter (where periods.status = 'missing') as periods_missing,
    string_agg(periods.period, ', ' order by periods.period) filter (where periods.status = 'missing')
        as missing_periods,
    any_value(latest_batches.latest_received_at) as latest_received_at
from {{ ref('stg_contracts__dataset_schedule') }} as schedule
left join periods using (partner, dataset)
left join latest_batches using (partner, dataset)
group by all
