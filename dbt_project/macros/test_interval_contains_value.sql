{# Fails with every row whose 95% confidence interval does not contain its value, and every row
   that has an interval (either limit) but no value: a published interval always goes with a value.
   The columns default to value, lower_95 and upper_95. #}
{% test interval_contains_value(model, value='value', lower='lower_95', upper='upper_95') %}
select *
from {{ model }}
where {{ value }} < {{ lower }} - 1e-9 or {{ value }} > {{ upper }} + 1e-9
    or ({{ value }} is null and ({{ lower }} is not null or {{ upper }} is not null))
{% endtest %}
