-- Data coverage per partner dataset: the periods received against the periods expected by
-- the contract schedule, from the first period received to the last one already due
-- (annual `due` is a month-day after the period ends; monthly and quarterly `due` is days).
with schedules as (
    select * from {{ ref('dataset_schedules') }}
),

received as (
    select
        received.partner,
        received.dataset,
        received.period,
        received.received_at,
        {{ period_ordinal('received.period', 'schedules.period_type') }} as ordinal
    from {{ ref('int_coverage__periods_received') }} as received
    inner join schedules using (partner, dataset)
),

spans as (
    select
        schedules.partner,
        schedules.dataset,
        schedules.period_type,
        schedules.due,
        min(received.ordinal) as first_ordinal,
        {{ period_ordinal("strftime(current_date, '%Y-%m')", 'schedules.period_type') }} as today_ordinal
    from schedules
    left join received using (partner, dataset)
    group by all
),

candidate_periods as (
    select
        spans.partner,
        spans.dataset,
        ordinal,
        {{ period_from_ordinal('ordinal', 'spans.period_type') }} as period,
        {{ period_end_from_ordinal('ordinal', 'spans.period_type') }} as period_end,
        spans.due
    from spans
    cross join lateral (select unnest(range(spans.first_ordinal, spans.today_ordinal + 1)) as ordinal)
    where spans.first_ordinal is not null
),

expected as (
    select *
    from candidate_periods
    where case
        when contains(due, '-') then
            make_date(year(period_end), cast(left(due, 2) as integer), cast(right(due, 2) as integer))
            + case when make_date(year(period_end), cast(left(due, 2) as integer), cast(right(due, 2) as integer))
                        <= period_end then interval 1 year else interval 0 day end
        else period_end + cast(due as integer) * interval 1 day
    end <= current_date
),

gaps as (
    select
        expected.partner,
        expected.dataset,
        count(*) as periods_expected,
        count(*) filter (where received.period is null) as periods_missing,
        string_agg(expected.period, ', ' order by expected.period) filter (where received.period is null)
            as missing_periods
    from expected
    left join received using (partner, dataset, period)
    group by all
)

select
    schedules.partner,
    schedules.dataset,
    schedules.frequency,
    schedules.period_type,
    min(received.period) as first_period_received,
    max(received.period) as latest_period_received,
    count(distinct received.period) as periods_received,
    coalesce(any_value(gaps.periods_expected), 0) as periods_expected,
    coalesce(any_value(gaps.periods_missing), 0) as periods_missing,
    any_value(gaps.missing_periods) as missing_periods,
    max(received.received_at) as latest_received_at
from schedules
left join received using (partner, dataset)
left join gaps using (partner, dataset)
group by all
