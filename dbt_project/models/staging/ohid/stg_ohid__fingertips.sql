-- Current rows of the OHID Fingertips bulk CSV: latest loaded batch of each Fingertips time period
-- (a newer pull holds every period, so it supersedes the older one whole).
with

source as (

    {{ current_batch_rows(source('ohid', 'fingertips'), 'time_period') }}

),

renamed as (

    select
        time_period,
        cast(indicator_id as integer) as fingertips_indicator_id,
        indicator_name as fingertips_indicator_name,
        area_code,
        area_name,
        area_type,
        parent_code,
        sex,
        age,
        category_type,
        category,
        value,
        lower_ci_95,
        upper_ci_95,
        lower_ci_99_8,
        upper_ci_99_8,
        value_note,
        _batch_id as batch_id,
        _received_at as received_at
    from source

)

select * from renamed
