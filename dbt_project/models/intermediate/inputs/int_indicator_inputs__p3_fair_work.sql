-- Inputs of the P3 (fair employment and good work) indicators at LSOA x sex x ethnic group grain.
-- Survey indicators are weighted; claimant counts are the March snapshot of each financial year.
with claimants as (
    select *, {{ financial_year_of_month('month') }} as financial_year
    from {{ ref('stg_dwp__claimant_count') }}
    where right(month, 2) = '03'
)

{{ indicator_input('p3_employment_rate', ref('stg_council__residents_survey'), 'year',
                   "cast(economic_status = 'employed' as integer)", '1', where='age between 16 and 64',
                   sex='sex', ethnicity='ethnicity_group', weight='weight') }}
union all
{{ indicator_input('p3_unemployment_rate', ref('stg_council__residents_survey'), 'year',
                   "cast(economic_status = 'unemployed' as integer)", '1',
                   where="economic_status in ('employed', 'unemployed')",
                   sex='sex', ethnicity='ethnicity_group', weight='weight') }}
union all
{{ indicator_input('p3_economic_inactivity', ref('stg_council__residents_survey'), 'year',
                   "cast(starts_with(economic_status, 'inactive') as integer)", '1', where='age between 16 and 64',
                   sex='sex', ethnicity='ethnicity_group', weight='weight') }}
union all
{{ indicator_input('p3_claimant_rate', 'claimants', 'financial_year', 'claimants', 'residents_16_64') }}
union all
{{ indicator_input('p3_long_term_claimants', 'claimants', 'financial_year',
                   'claimants_12_months_plus', 'residents_16_64') }}
union all
{{ indicator_input('p3_job_shop_into_work', ref('stg_skills__job_shop_clients'), 'financial_year',
                   'cast(into_work as integer)', '1', ethnicity='ethnicity_group') }}
