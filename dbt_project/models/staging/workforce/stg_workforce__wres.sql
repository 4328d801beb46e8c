-- Current rows of WRES indicator 2: shortlisting to appointment by ethnic group: latest loaded batch of each financial_year.
with

source as (

    {{ current_batch_rows(source('workforce', 'wres'), 'financial_year') }}

),

renamed as (

    select
        financial_year,
        trust,
        ethnic_group,
        shortlisted,
        appointed,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
