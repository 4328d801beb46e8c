-- Current rows of Domestic Energy Performance Certificates lodged: latest loaded batch of each month.
with current_rows as (
    {{ current_batch_rows(source('climate', 'epc_certificates'), 'month') }}
)

select
    month,
    certificate_id,
    lsoa21_code,
    energy_band,
    tenure,
    _batch_id as batch_id,
    _received_at as received_at
from current_rows
