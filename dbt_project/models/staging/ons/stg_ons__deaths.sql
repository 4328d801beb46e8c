-- Current rows of Death registrations of Coventry residents: latest loaded batch of each month.
with

source as (

    {{ current_batch_rows(source('ons', 'deaths'), 'month') }}

),

renamed as (

    select
        month,
        death_key,
        sex,
        age,
        lsoa21_code,
        cause_category,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
