-- Current rows of Stop and search by ethnic group: latest loaded batch of each month.
with

source as (

    {{ current_batch_rows(source('police', 'stop_search'), 'month') }}

),

renamed as (

    select
        month,
        ethnicity_group,
        searches,
        resident_population,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
