-- Current rows of Key Stage 2 results: latest loaded batch of each academic_year.
with

source as (

    {{ current_batch_rows(source('schools', 'ks2_results'), 'academic_year') }}

),

renamed as (

    select
        academic_year,
        pupil_key,
        sex,
        lsoa21_code,
        fsm_eligible,
        ethnicity_group,
        rwm_expected,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
