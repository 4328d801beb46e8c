-- Current rows of Drug and alcohol treatment exits: latest loaded batch of each financial_year.
with

source as (

    {{ current_batch_rows(source('public_health', 'treatment_exits'), 'financial_year') }}

),

renamed as (

    select
        financial_year,
        client_key,
        sex,
        age,
        substance,
        completed_successfully,
        re_presented_6_months,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
