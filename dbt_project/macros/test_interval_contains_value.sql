{# Fails with every row whose 95% confidence interval does not contain its value. #}
{% test interval_contains_value(model) %}
select *
from {{ model }}
where value < lower_95 - 1e-9 or value > upper_95 + 1e-9
{% endtest %}
