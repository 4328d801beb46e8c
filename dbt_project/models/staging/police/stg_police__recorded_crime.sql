-- Current rows of Recorded crime by LSOA: latest loaded batch of each month.
with

source as (

    {{ current_batch_rows(source('police', 'recorded_crime'), 'month') }}

),

renamed as (

    select
        month,
        lsoa21_code,
        violence_offences,
        racially_religiously_aggravated_offences,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
