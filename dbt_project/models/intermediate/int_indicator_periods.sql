-- Every indicator period and whether it is complete: its data (each year's, for a pooled window)
-- was received after the period ended. A period sent while it was still running (a quarterly
-- year-to-date return of a financial year) is a part period: it is published with a note, but it
-- is not compared with England, not the latest value and not in the trend test, unless the
-- catalogue says the indicator may use part periods (uses_incomplete_periods).
with periods as (
    select
        indicator_id,
        period,
        bool_and(is_period_complete) as is_complete,
        max(period_received_at) as received_at
    from {{ ref('int_indicator_counts') }}
    group by all
),

catalogue as (
    select indicator_id, period_type, pooled_years, uses_incomplete_periods
    from {{ ref('indicator_catalogue') }}
),

ends as (
    select
        periods.*,
        catalogue.uses_incomplete_periods,
        {{ period_end("case when catalogue.pooled_years > 1 then right(periods.period, 4) else periods.period end",
                      'catalogue.period_type') }} as period_end
    from periods
    inner join catalogue using (indicator_id)
)

select
    indicator_id,
    period,
    is_complete,
    is_complete or uses_incomplete_periods as is_usable,
    period_end,
    received_at,
    case when not is_complete then
        'Part year (year to date): the data were received on ' || strftime(received_at, '%-d %B %Y')
        || ', before the year ended on ' || strftime(period_end, '%-d %B %Y') || '.'
        || case when not uses_incomplete_periods
            then ' Not compared with England, not shown as the latest value and not in the trend test.' else '' end
    end as period_note
from ends
