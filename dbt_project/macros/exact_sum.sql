{#
  The sum of a double expression, the same whatever order the rows arrive in: each term is
  rounded to 10 decimal places and summed as a DECIMAL (integer arithmetic, exact), then
  returned as a double. A plain sum() of doubles depends on the order DuckDB's threads add
  them, so two builds of the same data differed in the last bits (and in what was rounded
  into the marts). Enough for counts up to 10^28 and weights with 10 significant decimals.
#}
{% macro exact_sum(expression) -%}
cast(sum(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}
