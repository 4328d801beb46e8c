-- Current rows of Key Stage 4 results: latest loaded batch of each academic_year.
with

source as (

    {{ current_batch_rows(source('schools', 'ks4_results'), 'academic_year') }}

),

renamed as (

    select
        academic_year,
        pupil_key,
        sex,
        lsoa21_code,
        disadvantaged,
        ethnicity_group,
        attainment8,
        eng_maths_grade5,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
