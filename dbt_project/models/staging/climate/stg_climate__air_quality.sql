-- Current rows of Modelled annual mean air pollution by LSOA: latest loaded batch of each year.
with

source as (

    {{ current_batch_rows(source('climate', 'air_quality'), 'year') }}

),

renamed as (

    select
        year,
        lsoa21_code,
        pm25_ugm3,
        no2_ugm3,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
