-- Current rows of Census 2021 households and qualifications by LSOA: latest loaded batch of each year.
with current_rows as (
    {{ current_batch_rows(source('census', 'households_2021'), 'year') }}
)

select
    year,
    lsoa21_code,
    households,
    overcrowded_households,
    residents_16_plus,
    residents_no_qualifications,
    _batch_id as batch_id,
    _received_at as received_at
from current_rows
