-- The delivery schedule of every partner dataset contract, as the build wrote it from the contracts.
select
    partner,
    dataset,
    partner_name,
    dataset_title,
    frequency,
    period_type,
    due,
    as_of
from {{ source('contracts', 'dataset_schedule') }}
