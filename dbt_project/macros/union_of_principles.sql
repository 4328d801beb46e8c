{#
  Every principle's model of one family (``<prefix>__<principle>``, e.g. int_indicator_counts__p1_best_start) in
  one relation: the principles' inputs, counts and values are one model each, so a new file rebuilds only its own.
#}
{% macro union_of_principles(prefix) -%}
{%- for principle in ['p1_best_start', 'p2_capabilities', 'p3_fair_work', 'p4_living_standards', 'p5_places',
                      'p6_prevention', 'p7_racism', 'p8_environment', 'h0_headline'] %}
select * from {{ ref(prefix ~ '__' ~ principle) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endmacro %}
