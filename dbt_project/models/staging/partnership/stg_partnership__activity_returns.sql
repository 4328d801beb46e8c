-- Current rows of Partner activity returns: latest loaded batch of each quarter.
with

source as (

    {{ current_batch_rows(source('partnership', 'activity_returns'), 'quarter') }}

),

renamed as (

    select
        quarter,
        partner_name,
        programme,
        principles,
        wards,
        offer,
        people_reached,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
