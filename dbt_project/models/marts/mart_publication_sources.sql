-- The partner batches that feed this publication (lineage for the manifest and the page).
select
    partner,
    dataset,
    batch_id,
    original_name,
    sha256,
    received_at,
    rows_loaded,
    is_synthetic
from {{ ref('stg_platform__ledger') }}
where is_loaded
