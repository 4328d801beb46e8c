-- Current rows of Advice cases and outcomes: latest loaded batch of each quarter.
with

source as (

    {{ current_batch_rows(source('advice', 'advice_cases'), 'quarter') }}

),

renamed as (

    select
        quarter,
        client_key,
        lsoa21_code,
        ethnicity_group,
        disabled,
        debt_resolved,
        annual_gain_gbp,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
