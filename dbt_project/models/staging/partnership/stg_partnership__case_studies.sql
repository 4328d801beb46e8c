-- Current rows of Partner case studies: latest loaded batch of each quarter.
with current_rows as (
    {{ current_batch_rows(source('partnership', 'case_studies'), 'quarter') }}
)

select
    quarter,
    partner_name,
    title,
    principle,
    ward,
    summary,
    outcome,
    _batch_id as batch_id,
    _received_at as received_at
from current_rows
