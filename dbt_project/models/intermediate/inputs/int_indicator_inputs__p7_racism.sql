-- Inputs of the P7 (racism, discrimination and their outcomes) indicators.
-- Stop and search and WRES come for the whole city (no LSOA), by ethnic group.
with crime as (
    {{ rolled_up_to_years(ref('stg_police__recorded_crime'), 'month', 'financial') }}
),

births as (
    {{ rolled_up_to_years(ref('stg_maternity__births'), 'month', 'calendar') }}
),

stop_search as (
    {{ rolled_up_to_years(ref('stg_police__stop_search'), 'month', 'financial') }}
)

{{ indicator_input('p7_race_hate_crime', 'crime', 'financial_year', 'racially_religiously_aggravated_offences', '0') }}
union all
{{ population_input('p7_race_hate_crime', 'financial_year') }}
union all
{{ indicator_input('p7_stillbirths', 'births', 'calendar_year', "cast(birth_outcome = 'stillbirth' as integer)", '1',
                   ethnicity='mother_ethnicity_group') }}
union all
{{ indicator_input('p7_stop_search_rate', 'stop_search', 'financial_year', 'searches', '0',
                   lsoa='null', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p7_stop_search_rate', 'stop_search', 'financial_year', '0', 'resident_population',
                   where="right(month, 2) = '03'", lsoa='null', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p7_wres_appointed_from_shortlisting', ref('stg_workforce__wres'), 'financial_year',
                   'appointed', 'shortlisted', lsoa='null', ethnicity='ethnic_group') }}
