-- Inputs of the P2 (capabilities: education and skills) indicators at LSOA x sex x ethnic group grain.
{{ indicator_input('p2_attainment8', ref('stg_schools__ks4_results'), 'academic_year',
                   'attainment8', '1', sex='sex', ethnicity='ethnicity_group', observation='attainment8') }}
union all
{{ indicator_input('p2_grade5_english_maths', ref('stg_schools__ks4_results'), 'academic_year',
                   'cast(eng_maths_grade5 as integer)', '1', sex='sex', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p2_ks2_rwm_expected', ref('stg_schools__ks2_results'), 'academic_year',
                   'cast(rwm_expected as integer)', '1', sex='sex', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p2_neet_or_not_known', ref('stg_skills__neet_tracking'), 'academic_year',
                   "cast(activity in ('NEET', 'not_known') as integer)", '1', sex='sex') }}
union all
{{ indicator_input('p2_special_educational_needs', ref('stg_schools__pupil_census'), 'academic_year',
                   "cast(sen_status <> 'none' as integer)", '1', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p2_suspensions', ref('stg_schools__pupil_census'), 'academic_year',
                   'suspensions', '1', ethnicity='ethnicity_group') }}
union all
{{ indicator_input('p2_adults_no_qualifications', ref('stg_census__households_2021'), 'year',
                   'residents_no_qualifications', 'residents_16_plus') }}
