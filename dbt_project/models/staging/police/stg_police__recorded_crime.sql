-- Current rows of Recorded crime by LSOA: latest loaded batch of each month.
with current_rows as (
    {{ current_batch_rows(source('police', 'recorded_crime'), 'month') }}
)

select
    month,
    lsoa21_code,
    violence_offences,
    racially_religiously_aggravated_offences,
    _batch_id as batch_id,
    _received_at as received_at
from current_rows
