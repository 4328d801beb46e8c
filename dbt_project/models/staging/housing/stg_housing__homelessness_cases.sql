-- Current rows of Homelessness assessments (H-CLIC): latest loaded batch of each quarter.
with

source as (

    {{ current_batch_rows(source('housing', 'homelessness_cases'), 'quarter') }}

),

renamed as (

    select
        quarter,
        case_key,
        lsoa21_code,
        duty_owed,
        household_type,
        applicant_ethnicity_group,
        in_temporary_accommodation,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
