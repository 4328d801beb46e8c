-- Inputs of the P1 (best start in life) indicators at LSOA x sex x ethnic group grain.
with births_by_financial_year as (
    {{ rolled_up_to_years(ref('stg_maternity__births'), 'month', 'financial') }}
),

births_by_calendar_year as (
    {{ rolled_up_to_years(ref('stg_maternity__births'), 'month', 'calendar') }}
)

{{ indicator_input('p1_school_readiness', ref('stg_early_years__eyfsp'), 'academic_year',
                   'cast(reached_gld as integer)', '1', sex='sex', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p1_school_readiness_fsm', ref('stg_early_years__eyfsp'), 'academic_year',
                   'cast(reached_gld as integer)', '1', where='fsm_eligible', sex='sex', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p1_funded_two_year_olds', ref('stg_early_years__funded_two_year_olds'), 'academic_year',
                   'children_taking_place', 'eligible_children') }}
union all
{{ indicator_input('p1_parenting_confidence', ref('stg_family_hubs__parenting_survey'), 'year',
                   'cast(confident as integer)', '1', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p1_smoking_at_delivery', 'births_by_financial_year', 'financial_year',
                   'cast(smoking_at_delivery as integer)', '1', where='smoking_at_delivery is not null',
                   ethnicity='mother_ethnicity_group') }}
union all
{{ indicator_input('p1_breastfeeding_6_8_weeks', 'births_by_financial_year', 'financial_year',
                   'cast(breastfed_6_8_weeks as integer)', '1',
                   where="birth_outcome = 'live' and breastfed_6_8_weeks is not null",
                   ethnicity='mother_ethnicity_group') }}
union all
{{ indicator_input('p1_low_birth_weight_term', 'births_by_calendar_year', 'calendar_year',
                   'cast(birth_weight_grams < 2500 as integer)', '1',
                   where="birth_outcome = 'live' and gestation_weeks >= 37", ethnicity='mother_ethnicity_group') }}
union all
{{ indicator_input('p1_children_relative_low_income', ref('stg_dwp__children_low_income'), 'financial_year',
                   'children_relative_low_income', 'children_under_16') }}
