-- Current rows of Take-up of funded early education by eligible 2-year-olds: latest loaded batch of each academic_year.
with

source as (

    {{ current_batch_rows(source('early_years', 'funded_two_year_olds'), 'academic_year') }}

),

renamed as (

    select
        academic_year,
        lsoa21_code,
        eligible_children,
        children_taking_place,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
