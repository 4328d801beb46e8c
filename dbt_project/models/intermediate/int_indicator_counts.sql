-- Numerator and denominator of every indicator, period and area (long format).
with eyfsp as (
    select lsoa21_code, academic_year as period, reached_gld
    from {{ ref('stg_early_years__eyfsp') }}
)

{{ area_breakdowns('p1_school_readiness', 'eyfsp', 'count(*) filter (where reached_gld)', 'count(*)') }}
