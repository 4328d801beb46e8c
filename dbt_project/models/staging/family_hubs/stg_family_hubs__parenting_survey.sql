-- Current rows of Parenting confidence survey responses: latest loaded batch of each year.
with

source as (

    {{ current_batch_rows(source('family_hubs', 'parenting_survey'), 'year') }}

),

renamed as (

    select
        year,
        respondent_key,
        lsoa21_code,
        ethnicity_group,
        confident,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
