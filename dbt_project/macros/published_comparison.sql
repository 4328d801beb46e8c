{#
  A comparison as published (expects `v` the disclosure-controlled row and `periods` its
  int_indicator_periods row): the label is null when the row is suppressed and 'Not compared' in a
  part period; the code is 'not_compared' in both cases, so a code is never null.
#}
{% macro published_comparison(column, code=false) -%}
    case
        when v.is_suppressed then {{ "'not_compared'" if code else "null" }}
        when not periods.is_usable then {{ "'not_compared'" if code else "'Not compared'" }}
        else cast({{ column }} as varchar)
    end
{%- endmacro %}
