{#
  One indicator's contribution to int_indicator_inputs: sums at the grain indicator x period x
  LSOA x sex x ethnic group x age band, in the columns every input model shares.
  `numerator` / `denominator` are per-row expressions. With `weight` the sums are weighted
  (survey) and the unweighted counts and the sum of squared weights are kept for the
  effective sample size. `observation` keeps the individual values for means.
  Pass lsoa='null' for city-only sources and sex / ethnicity to break down by them.
  Unless is_event_source=false (denominator-only rows such as populations), one marker row
  per period says that the partner data behind the numerator arrived for it (even when no
  row meets the definition), so that periods exist exactly where data arrived, and when
  (received_at: the latest batch behind the period; int_indicator_periods decides from it
  whether the period was complete when it was sent).
#}
{% macro indicator_input(indicator_id, relation, period, numerator, denominator, where='true',
                         lsoa='lsoa21_code', sex='null', ethnicity='null', age_band='null',
                         weight=none, observation=none, is_event_source=true) -%}
select
    '{{ indicator_id }}' as indicator_id,
    {{ period }} as period,
    cast({{ lsoa }} as varchar) as lsoa21_code,
    cast({{ sex }} as varchar) as sex,
    cast({{ ethnicity }} as varchar) as ethnicity_group,
    cast({{ age_band }} as integer) as age_band,
    false as is_period_marker,
    {%- if weight %}
    {{ exact_sum(weight ~ ' * (' ~ numerator ~ ')') }} as numerator,
    {{ exact_sum(weight ~ ' * (' ~ denominator ~ ')') }} as denominator,
    {{ exact_sum(weight ~ ' * ' ~ weight ~ ' * (' ~ denominator ~ ')') }} as sum_squared_weights,
    {%- else %}
    {{ exact_sum(numerator) }} as numerator,
    {{ exact_sum(denominator) }} as denominator,
    cast(null as double) as sum_squared_weights,
    {%- endif %}
    {{ exact_sum(numerator) }} as unweighted_numerator,
    {{ exact_sum(denominator) }} as unweighted_denominator,
    {%- if observation %}
    list(cast({{ observation }} as double) order by cast({{ observation }} as double)) as observations
    {%- else %}
    cast(null as double[]) as observations
    {%- endif %},
    cast(null as timestamptz) as received_at
from {{ relation }}
where {{ where }}
group by all
{%- if is_event_source %}
union all
select
    '{{ indicator_id }}', {{ period }}, null, null, null, null, true, 0, 0, null, 0, 0, null, max(received_at)
from {{ relation }}
group by all
{%- endif %}
{%- endmacro %}

{#
  Population at risk as the denominator of a rate: mid-year residents of the selected ages,
  by LSOA and sex, per period of the indicator's type (and in age bands for standardised rates).
#}
{% macro population_input(indicator_id, period_type, ages='true', age_band='null') -%}
{{ indicator_input(indicator_id, ref('stg_ons__population'),
                   period_of_population_year('year', period_type), '0', 'population',
                   where=ages, sex='sex', age_band=age_band, is_event_source=false) }}
{%- endmacro %}

{# ESP2013 age band index 0..18 (0-4, 5-9, ..., 85-89, 90+) of an age in years. #}
{% macro esp2013_band(age) -%}
    least(floor({{ age }} / 5), 18)
{%- endmacro %}

{# Life-table age band index 0..19 (0, 1-4, 5-9, ..., 85-89, 90+) of an age in years. #}
{% macro life_table_band(age) -%}
    case when {{ age }} = 0 then 0 when {{ age }} < 5 then 1 else least(floor({{ age }} / 5) + 1, 19) end
{%- endmacro %}
