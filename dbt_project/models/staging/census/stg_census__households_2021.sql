-- Current rows of Census 2021 households and qualifications by LSOA: latest loaded batch of each year.
with

source as (

    {{ current_batch_rows(source('census', 'households_2021'), 'year') }}

),

renamed as (

    select
        year,
        lsoa21_code,
        households,
        overcrowded_households,
        residents_16_plus,
        residents_no_qualifications,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
