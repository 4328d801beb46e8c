-- Current Coventry ward boundaries (reference data from the ONS Open Geography Portal GeoJSON): latest loaded
-- batch of each boundary year, Coventry's wards only (the UK file holds every ward).
with

source as (

    {{ current_batch_rows(source('ons', 'ward_boundaries'), 'boundary_year') }}

),

renamed as (

    select
        boundary_year,
        ward_code,
        ward_name,
        longitude,
        latitude,
        geometry,
        _batch_id as batch_id,
        _received_at as received_at
    from source
    where ward_code in (select ward_code from {{ ref('wards') }})

)

select * from renamed
