-- Current rows of Emergency hospital admissions of Coventry residents: latest loaded batch of each month.
with

source as (

    {{ current_batch_rows(source('hospital', 'admissions'), 'month') }}

),

renamed as (

    select
        month,
        patient_key,
        admission_sequence,
        age,
        sex,
        lsoa21_code,
        cause_group,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
