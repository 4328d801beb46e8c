-- Current rows of Births and delivery outcomes: latest loaded batch of each month.
with

source as (

    {{ current_batch_rows(source('maternity', 'births'), 'month') }}

),

renamed as (

    select
        month,
        mother_key,
        baby_sequence,
        mother_age,
        mother_ethnicity_group,
        lsoa21_code,
        gestation_weeks,
        birth_weight_grams,
        birth_outcome,
        smoking_at_delivery,
        breastfed_6_8_weeks,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
