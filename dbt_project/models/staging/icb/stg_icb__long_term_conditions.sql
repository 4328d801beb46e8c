-- Current rows of Hypertension control and depression registers by LSOA: latest loaded batch of each quarter.
with

source as (

    {{ current_batch_rows(source('icb', 'long_term_conditions'), 'quarter') }}

),

renamed as (

    select
        quarter,
        lsoa21_code,
        hypertension_register,
        hypertension_at_target,
        registered_18_plus,
        depression_register,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
