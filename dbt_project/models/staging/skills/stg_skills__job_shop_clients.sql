-- Current rows of Job Shop and Youth Hub clients and outcomes: latest loaded batch of each financial_year.
with

source as (

    {{ current_batch_rows(source('skills', 'job_shop_clients'), 'financial_year') }}

),

renamed as (

    select
        financial_year,
        client_key,
        lsoa21_code,
        age,
        ethnicity_group,
        disabled,
        into_work,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
