-- Current rows of National Child Measurement Programme: latest loaded batch of each academic_year.
with

source as (

    {{ current_batch_rows(source('public_health', 'ncmp'), 'academic_year') }}

),

renamed as (

    select
        academic_year,
        child_key,
        sex,
        lsoa21_code,
        school_year,
        ethnicity_group,
        bmi_category,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
