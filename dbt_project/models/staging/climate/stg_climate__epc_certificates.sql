-- Current rows of Domestic Energy Performance Certificates lodged: latest loaded batch of each month.
with

source as (

    {{ current_batch_rows(source('climate', 'epc_certificates'), 'month') }}

),

renamed as (

    select
        month,
        certificate_id,
        lsoa21_code,
        energy_band,
        tenure,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
