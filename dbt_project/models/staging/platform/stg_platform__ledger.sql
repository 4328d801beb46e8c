-- The ingest ledger as of this build: one row per landed file, with whether its rows count.
with

source as (

    select * from {{ source('platform', 'ledger') }}

),

renamed as (

    select
        batch_id,
        partner,
        dataset,
        original_name,
        sha256,
        status,
        cast(received_at as timestamptz) as received_at,
        rows_in,
        rows_loaded,
        rows_rejected,
        status in ('accepted', 'accepted_with_warnings') as is_loaded,
        starts_with(original_name, 'synthetic_') as is_synthetic
    from source

)

select * from renamed
