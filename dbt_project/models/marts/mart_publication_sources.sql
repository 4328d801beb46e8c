-- The partner batches that feed this publication (lineage for the manifest and the page): batch ids and hashes,
-- never the partner's file name (names are free text: one held an NHS number; the ledger keeps them internally).
select
    partner,
    dataset,
    batch_id,
    sha256,
    received_at,
    rows_loaded,
    is_synthetic
from {{ ref('stg_platform__ledger') }}
where is_loaded
