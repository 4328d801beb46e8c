-- The periods each contract expected or received, with their status as of the build (marmot/monitor/freshness.py).
select
    partner,
    dataset,
    period,
    due,
    status,
    cast(received_at as timestamptz) as received_at,
    received_at is not null as is_received,
    days_overdue
from {{ source('contracts', 'dataset_periods') }}
