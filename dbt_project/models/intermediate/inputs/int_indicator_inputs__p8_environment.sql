-- Inputs of the P8 (environmental sustainability and health equity) indicators.
-- Pollutant concentrations are weighted by the LSOA's mid-year population.
with epc as (
    {{ rolled_up_to_years(ref('stg_climate__epc_certificates'), 'month', 'calendar') }}
),

air_quality as (
    select air.year, air.lsoa21_code, air.pm25_ugm3, air.no2_ugm3, air.received_at, sum(pop.population) as population
    from {{ ref('stg_climate__air_quality') }} as air
    inner join {{ ref('stg_ons__population') }} as pop using (year, lsoa21_code)
    group by all
)

{{ indicator_input('p8_epc_band_c_or_above', 'epc', 'calendar_year',
                   "cast(energy_band in ('A', 'B', 'C') as integer)", '1') }}
union all
{{ indicator_input('p8_pm25_population_weighted', 'air_quality', 'year', 'pm25_ugm3 * population', 'population') }}
union all
{{ indicator_input('p8_no2_population_weighted', 'air_quality', 'year', 'no2_ugm3 * population', 'population') }}
union all
{{ indicator_input('p8_active_travel', ref('stg_council__residents_survey'), 'year',
                   'cast(active_travel_3_days as integer)', '1', sex='sex', ethnicity='ethnicity_group',
                   weight='weight') }}
