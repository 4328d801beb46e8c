-- Current rows of Partner case studies: latest loaded batch of each quarter.
with

source as (

    {{ current_batch_rows(source('partnership', 'case_studies'), 'quarter') }}

),

renamed as (

    select
        quarter,
        partner_name,
        title,
        principle,
        ward,
        summary,
        outcome,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
