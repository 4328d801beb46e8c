-- Every period each partner dataset has sent (from its current loaded batches), with the
-- latest time a batch for it arrived.
{% set datasets = [
    ('advice', 'advice_cases', 'quarter'), ('census', 'households_2021', 'year'),
    ('climate', 'air_quality', 'year'), ('climate', 'epc_certificates', 'month'),
    ('council', 'residents_survey', 'year'), ('dwp', 'children_low_income', 'financial_year'),
    ('dwp', 'claimant_count', 'month'), ('early_years', 'eyfsp', 'academic_year'),
    ('early_years', 'funded_two_year_olds', 'academic_year'), ('family_hubs', 'parenting_survey', 'year'),
    ('hospital', 'admissions', 'month'), ('housing', 'homelessness_cases', 'quarter'),
    ('icb', 'long_term_conditions', 'quarter'), ('maternity', 'births', 'month'),
    ('ons', 'deaths', 'month'), ('ons', 'population', 'year'),
    ('partnership', 'activity_returns', 'quarter'), ('partnership', 'case_studies', 'quarter'),
    ('police', 'recorded_crime', 'month'), ('police', 'stop_search', 'month'),
    ('public_health', 'ncmp', 'academic_year'), ('public_health', 'treatment_exits', 'financial_year'),
    ('schools', 'ks2_results', 'academic_year'), ('schools', 'ks4_results', 'academic_year'),
    ('schools', 'pupil_census', 'academic_year'), ('skills', 'job_shop_clients', 'financial_year'),
    ('skills', 'neet_tracking', 'academic_year'), ('workforce', 'wres', 'financial_year'),
] %}
{% for partner, dataset, period_column in datasets %}
select
    '{{ partner }}' as partner,
    '{{ dataset }}' as dataset,
    {{ period_column }} as period,
    max(received_at) as received_at
from {{ ref('stg_' ~ partner ~ '__' ~ dataset) }}
group by all
{% if not loop.last %}union all{% endif %}
{% endfor %}
