{# Fails with every row whose 95% confidence interval does not contain its value, and every row
   that has an interval (either limit) but no value: a published interval always goes with a value. #}
{% test interval_contains_value(model) %}
select *
from {{ model }}
where value < lower_95 - 1e-9 or value > upper_95 + 1e-9
    or (value is null and (lower_95 is not null or upper_95 is not null))
{% endtest %}
