-- Current rows of Children in low income families: latest loaded batch of each financial_year.
with

source as (

    {{ current_batch_rows(source('dwp', 'children_low_income'), 'financial_year') }}

),

renamed as (

    select
        financial_year,
        lsoa21_code,
        children_under_16,
        children_relative_low_income,
        children_absolute_low_income,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
