-- Current rows of 16-17 year olds' education: latest loaded batch of each academic_year.
with

source as (

    {{ current_batch_rows(source('skills', 'neet_tracking'), 'academic_year') }}

),

renamed as (

    select
        academic_year,
        young_person_key,
        sex,
        lsoa21_code,
        age,
        activity,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
