-- Inputs of the P4 (healthy standard of living) indicators at LSOA x sex x ethnic group grain.
-- Homelessness rates use Census 2021 households of the LSOA as the denominator in every year.
with homelessness as (
    {{ rolled_up_to_years(ref('stg_housing__homelessness_cases'), 'quarter', 'financial') }}
),

households_per_year as (
    select periods.financial_year, census.lsoa21_code, census.households
    from {{ ref('stg_census__households_2021') }} as census
    cross join (select distinct financial_year from homelessness) as periods
),

advice as (
    {{ rolled_up_to_years(ref('stg_advice__advice_cases'), 'quarter', 'financial') }}
)

{{ indicator_input('p4_children_absolute_low_income', ref('stg_dwp__children_low_income'), 'financial_year',
                   'children_absolute_low_income', 'children_under_16') }}
{% for indicator_id, condition in [
    ('p4_homelessness_duty', "duty_owed in ('prevention', 'relief')"),
    ('p4_temporary_accommodation', 'in_temporary_accommodation')] %}
union all
{{ indicator_input(indicator_id, 'homelessness', 'financial_year', '1', '0', where=condition) }}
union all
{{ indicator_input(indicator_id, 'households_per_year', 'financial_year', '0', 'households',
                   is_event_source=false) }}
{% endfor %}
union all
{{ indicator_input('p4_free_school_meals', ref('stg_schools__pupil_census'), 'academic_year',
                   'cast(fsm_eligible as integer)', '1', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p4_advice_debt_resolved', 'advice', 'financial_year',
                   'cast(debt_resolved as integer)', '1', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p4_digital_exclusion', ref('stg_council__residents_survey'), 'year',
                   'cast(not home_internet as integer)', '1', sex='sex', ethnicity='ethnicity_group', weight='weight') }}
