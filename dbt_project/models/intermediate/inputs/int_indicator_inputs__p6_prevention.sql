-- Inputs of the P6 (ill health prevention) indicators at LSOA x sex x ethnic group x age band grain.
-- Register counts are the January-March (financial year end) snapshot.
with admissions as (
    {{ rolled_up_to_years(ref('stg_hospital__admissions'), 'month', 'financial') }}
),

registers as (
    select *, {{ financial_year_of_quarter('quarter') }} as financial_year
    from {{ ref('stg_icb__long_term_conditions') }}
    where right(quarter, 1) = '1'
),

deaths as (
    {{ rolled_up_to_years(ref('stg_ons__deaths'), 'month', 'calendar') }}
)

{{ indicator_input('p6_smoking_prevalence', ref('stg_council__residents_survey'), 'year',
                   'cast(smokes as integer)', '1', where='age >= 18', sex='sex', ethnicity='ethnicity_group',
                   weight='weight') }}
union all
{{ indicator_input('p6_smoking_routine_manual', ref('stg_council__residents_survey'), 'year',
                   'cast(smokes as integer)', '1', where="age >= 18 and occupation_group = 'routine_manual'",
                   sex='sex', weight='weight') }}
{% for indicator_id, school_year in [('p6_obesity_year6', '6'), ('p6_obesity_reception', 'R')] %}
union all
{{ indicator_input(indicator_id, ref('stg_public_health__ncmp'), 'academic_year',
                   "cast(bmi_category in ('obese', 'severely_obese') as integer)", '1',
                   where="school_year = '" ~ school_year ~ "'", sex='sex', ethnicity='ethnicity_group') }}
{% endfor %}
{% for indicator_id, substance in [('p6_opiate_treatment_completion', 'opiate'), ('p6_alcohol_treatment_completion', 'alcohol')] %}
union all
{{ indicator_input(indicator_id, ref('stg_public_health__treatment_exits'), 'financial_year',
                   'cast(completed_successfully and not re_presented_6_months as integer)', '1',
                   where="substance = '" ~ substance ~ "'", lsoa='null', sex='sex') }}
{% endfor %}
union all
{{ indicator_input('p6_alcohol_admissions', 'admissions', 'financial_year', '1', '0',
                   where="cause_group = 'alcohol_specific'", sex='sex', age_band=esp2013_band('age')) }}
union all
{{ population_input('p6_alcohol_admissions', 'financial_year', age_band=esp2013_band('age')) }}
union all
{{ indicator_input('p6_self_harm_10_24', 'admissions', 'financial_year', '1', '0',
                   where="cause_group = 'self_harm' and age between 10 and 24", sex='sex') }}
union all
{{ population_input('p6_self_harm_10_24', 'financial_year', ages='age between 10 and 24') }}
union all
{{ indicator_input('p6_hypertension_at_target', 'registers', 'financial_year',
                   'hypertension_at_target', 'hypertension_register') }}
union all
{{ indicator_input('p6_depression_prevalence', 'registers', 'financial_year',
                   'depression_register', 'registered_18_plus') }}
union all
{{ indicator_input('p6_suicide', 'deaths', 'calendar_year', '1', '0',
                   where="cause_category = 'suicide' and age >= 10", sex='sex', age_band=esp2013_band('age')) }}
union all
{{ population_input('p6_suicide', 'calendar_year', ages='age >= 10', age_band=esp2013_band('age')) }}
union all
{{ indicator_input('p6_preventable_mortality_under_75', 'deaths', 'calendar_year', '1', '0',
                   where="cause_category = 'preventable' and age < 75", sex='sex', age_band=esp2013_band('age')) }}
union all
{{ population_input('p6_preventable_mortality_under_75', 'calendar_year', ages='age < 75',
                    age_band=esp2013_band('age')) }}
