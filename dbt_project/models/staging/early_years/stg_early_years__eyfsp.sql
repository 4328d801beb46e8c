-- Current rows of Early Years Foundation Stage Profile results: latest loaded batch of each academic_year.
with

source as (

    {{ current_batch_rows(source('early_years', 'eyfsp'), 'academic_year') }}

),

renamed as (

    select
        pupil_key,
        birth_month,
        sex,
        lsoa21_code,
        fsm_eligible,
        coalesce(ethnicity_group, 'Unknown') as ethnicity_group,
        gld as reached_gld,
        academic_year,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
