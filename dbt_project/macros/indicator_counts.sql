{#
  Numerator and denominator (and age-band strata) of every indicator, period and area of one principle's inputs
  (models/intermediate/inputs): the city, each ward (of the vintage valid when the period starts), each national
  IMD quintile and local IMD decile, and city-wide by sex and by ethnic group where the catalogue lists that
  breakdown. Years are pooled into windows where the catalogue says so. Every indicator's rows come from one
  principle's inputs, so the principles' counts are separate models: a new file rebuilds only its principles'.
#}
{% macro indicator_counts(principle) -%}
with inputs as (
    select * from {{ ref('int_indicator_inputs__' ~ principle) }}
),

catalogue as (
    select indicator_id, period_type, pooled_years, breakdowns from {{ ref('indicator_catalogue') }}
),

-- each input year feeds every window of `pooled_years` years that contains it
windowed as (
    select
        inputs.* exclude (period),
        cast(left(inputs.period, 4) as integer) as year,
        cast(left(inputs.period, 4) as integer) + offsets.k as end_year,
        case when catalogue.pooled_years > 1
            then cast(cast(left(inputs.period, 4) as integer) + offsets.k - catalogue.pooled_years + 1 as varchar)
                || '-' || cast(cast(left(inputs.period, 4) as integer) + offsets.k as varchar)
            else inputs.period
        end as period,
        catalogue.pooled_years,
        catalogue.period_type,
        catalogue.breakdowns,
        {{ period_end('inputs.period', 'catalogue.period_type') }} as input_period_end
    from inputs
    inner join catalogue using (indicator_id)
    cross join lateral (select unnest(range(catalogue.pooled_years)) as k) as offsets
),

-- a period (or window) exists only where the numerator's partner data arrived for every year;
-- it is complete when the data of each of its years was received after that year ended (data
-- sent during a year, a year-to-date return, is a part period)
complete as (
    select
        *,
        bool_and(case when is_period_marker then cast(received_at as date) > input_period_end end)
            over (partition by indicator_id, period) as is_period_complete,
        max(received_at) over (partition by indicator_id, period) as period_received_at
    from windowed
    qualify count(distinct case when is_period_marker then year end)
        over (partition by indicator_id, period) = pooled_years
),

located as (
    select complete.*, geo.ward_code, geo.ward_name, geo.imd_quintile, geo.local_imd_decile
    from complete
    left join {{ ref('int_geography__lsoa21') }} as geo
        on complete.lsoa21_code = geo.lsoa21_code
        and {{ period_start('complete.period', 'complete.period_type') }} between geo.valid_from and geo.valid_to
    where not complete.is_period_marker
)

select
    indicator_id,
    period,
    case
        when grouping(ward_code) = 0 then 'ward'
        when grouping(imd_quintile) = 0 then 'imd_quintile'
        when grouping(local_imd_decile) = 0 then 'local_imd_decile'
        else 'city'
    end as geography_level,
    case
        when grouping(ward_code) = 0 then ward_code
        when grouping(imd_quintile) = 0 then 'Q' || imd_quintile
        when grouping(local_imd_decile) = 0 then 'D' || local_imd_decile
        else 'E08000026'
    end as area_code,
    case
        when grouping(ward_code) = 0 then any_value(ward_name)
        when grouping(imd_quintile) = 0 then 'IMD quintile ' || imd_quintile
            || case imd_quintile when 1 then ' (most deprived)' when 5 then ' (least deprived)' else '' end
        when grouping(local_imd_decile) = 0 then 'Local IMD decile ' || local_imd_decile
        else 'Coventry'
    end as area_name,
    case
        when grouping(sex) = 0 then 'sex'
        when grouping(ethnicity_group) = 0 then 'ethnicity'
        else 'persons'
    end as breakdown,
    case
        when grouping(sex) = 0 then sex
        when grouping(ethnicity_group) = 0 then ethnicity_group
        else 'Persons'
    end as breakdown_value,
    age_band,
    {{ exact_sum('numerator') }} as numerator,
    {{ exact_sum('denominator') }} as denominator,
    {{ exact_sum('unweighted_numerator') }} as unweighted_numerator,
    {{ exact_sum('unweighted_denominator') }} as unweighted_denominator,
    {{ exact_sum('sum_squared_weights') }} as sum_squared_weights,
    list_sort(flatten(list(observations) filter (where observations is not null))) as observations,
    any_value(is_period_complete) as is_period_complete,
    any_value(period_received_at) as period_received_at
from located
group by grouping sets (
    (indicator_id, period, breakdowns, age_band),
    (indicator_id, period, breakdowns, age_band, ward_code),
    (indicator_id, period, breakdowns, age_band, imd_quintile),
    (indicator_id, period, breakdowns, age_band, local_imd_decile),
    (indicator_id, period, breakdowns, age_band, sex),
    (indicator_id, period, breakdowns, age_band, ethnicity_group)
)
-- drop areas and breakdowns the source cannot give (no LSOA, no sex, not in the catalogue)
having not (grouping(ward_code) = 0 and ward_code is null)
    and not (grouping(imd_quintile) = 0 and imd_quintile is null)
    and not (grouping(local_imd_decile) = 0 and local_imd_decile is null)
    and not (grouping(sex) = 0 and (sex is null or not contains(coalesce(breakdowns, ''), 'sex')))
    and not (grouping(ethnicity_group) = 0
             and (ethnicity_group is null or not contains(coalesce(breakdowns, ''), 'ethnicity')))
{%- endmacro %}
