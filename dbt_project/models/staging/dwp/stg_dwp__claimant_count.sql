-- Current rows of Claimant count by LSOA: latest loaded batch of each month.
with

source as (

    {{ current_batch_rows(source('dwp', 'claimant_count'), 'month') }}

),

renamed as (

    select
        month,
        lsoa21_code,
        residents_16_64,
        claimants,
        claimants_12_months_plus,
        claimants_18_24,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
