-- Current rows of Coventry Household Survey responses: latest loaded batch of each year.
with

source as (

    {{ current_batch_rows(source('council', 'residents_survey'), 'year') }}

),

renamed as (

    select
        year,
        respondent_key,
        lsoa21_code,
        age,
        sex,
        ethnicity_group,
        weight,
        economic_status,
        long_term_condition,
        occupation_group,
        smokes,
        active_150_minutes,
        lonely_often,
        home_internet,
        active_travel_3_days,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
