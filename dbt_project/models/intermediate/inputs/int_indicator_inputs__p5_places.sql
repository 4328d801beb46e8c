-- Inputs of the P5 (healthy and sustainable places) indicators at LSOA x sex x age band grain.
with crime as (
    {{ rolled_up_to_years(ref('stg_police__recorded_crime'), 'month', 'financial') }}
),

admissions as (
    {{ rolled_up_to_years(ref('stg_hospital__admissions'), 'month', 'financial') }}
)

{{ indicator_input('p5_overcrowding', ref('stg_census__households_2021'), 'year',
                   'overcrowded_households', 'households') }}
union all
{{ indicator_input('p5_violence_offences', 'crime', 'financial_year', 'violence_offences', '0') }}
union all
{{ population_input('p5_violence_offences', 'financial_year') }}
union all
{{ indicator_input('p5_violence_admissions', 'admissions', 'financial_year', '1', '0',
                   where="cause_group = 'violence'", sex='sex', age_band=esp2013_band('age')) }}
union all
{{ population_input('p5_violence_admissions', 'financial_year', age_band=esp2013_band('age')) }}
union all
{{ indicator_input('p5_physically_active', ref('stg_council__residents_survey'), 'year',
                   'cast(active_150_minutes as integer)', '1', where='age >= 19',
                   sex='sex', ethnicity='ethnicity_group', weight='weight') }}
union all
{{ indicator_input('p5_loneliness', ref('stg_council__residents_survey'), 'year',
                   'cast(lonely_often as integer)', '1', sex='sex', ethnicity='ethnicity_group', weight='weight') }}
