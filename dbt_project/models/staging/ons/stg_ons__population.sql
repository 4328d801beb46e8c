-- Current rows of Mid-year population estimates by LSOA: latest loaded batch of each year.
with

source as (

    {{ current_batch_rows(source('ons', 'population'), 'year') }}

),

renamed as (

    select
        year,
        lsoa21_code,
        sex,
        age,
        population,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
