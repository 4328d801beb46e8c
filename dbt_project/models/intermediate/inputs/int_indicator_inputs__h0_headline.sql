-- Inputs of the headline outcomes: deaths and person-years by life-table age band (life
-- expectancy pooled over 3 calendar years downstream; its slope index of inequality and
-- decile gap by single year) and infant deaths per live birth.
with deaths as (
    {{ rolled_up_to_years(ref('stg_ons__deaths'), 'month', 'calendar') }}
),

births as (
    {{ rolled_up_to_years(ref('stg_maternity__births'), 'month', 'calendar') }}
)

{% for indicator_id, sex in [
    ('h0_life_expectancy_male', 'M'), ('h0_life_expectancy_female', 'F'),
    ('h0_sii_life_expectancy_male', 'M'), ('h0_sii_life_expectancy_female', 'F'),
    ('h0_le_gap_deciles_male', 'M'), ('h0_le_gap_deciles_female', 'F')] %}
{{ indicator_input(indicator_id, 'deaths', 'calendar_year', '1', '0', where="sex = '" ~ sex ~ "'",
                   age_band=life_table_band('age')) }}
union all
{{ population_input(indicator_id, 'calendar_year', ages="sex = '" ~ sex ~ "'", age_band=life_table_band('age')) }}
union all
{% endfor %}
{{ indicator_input('h0_infant_mortality', 'deaths', 'calendar_year', '1', '0', where='age = 0') }}
union all
{{ indicator_input('h0_infant_mortality', 'births', 'calendar_year', '0', '1', where="birth_outcome = 'live'") }}
