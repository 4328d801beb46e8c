-- Current rows of School census (January): latest loaded batch of each academic_year.
with

source as (

    {{ current_batch_rows(source('schools', 'pupil_census'), 'academic_year') }}

),

renamed as (

    select
        academic_year,
        pupil_key,
        lsoa21_code,
        school_phase,
        fsm_eligible,
        sen_status,
        ethnicity_group,
        suspensions,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
