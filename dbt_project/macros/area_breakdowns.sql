{#
  Aggregate numerator and denominator for the city, each ward and each IMD quintile in one
  pass. `rows` must have lsoa21_code, period and the two expressions' inputs.
  Output: indicator_id, period, geography_level, area_code, area_name, numerator, denominator.
#}
{% macro area_breakdowns(indicator_id, rows, numerator, denominator) -%}
select
    '{{ indicator_id }}' as indicator_id,
    period,
    case
        when grouping(geo.ward_code) = 0 then 'ward'
        when grouping(geo.imd_quintile) = 0 then 'imd_quintile'
        else 'city'
    end as geography_level,
    case
        when grouping(geo.ward_code) = 0 then geo.ward_code
        when grouping(geo.imd_quintile) = 0 then 'Q' || geo.imd_quintile
        else 'E08000026'
    end as area_code,
    case
        when grouping(geo.ward_code) = 0 then any_value(geo.ward_name)
        when grouping(geo.imd_quintile) = 0 then 'IMD quintile ' || geo.imd_quintile
            || case geo.imd_quintile when 1 then ' (most deprived)' when 5 then ' (least deprived)' else '' end
        else 'Coventry'
    end as area_name,
    cast({{ numerator }} as double) as numerator,
    cast({{ denominator }} as double) as denominator
from {{ rows }} as r
inner join {{ ref('int_geography__lsoa21') }} as geo using (lsoa21_code)
group by grouping sets ((period), (period, geo.ward_code), (period, geo.imd_quintile))
{%- endmacro %}
