{# Fails with each spine-chart row whose minimum, quartiles and maximum are not in order. #}
{% test quartiles_in_order(model) %}
select *
from {{ model }}
where not (authorities_min <= authorities_q1 and authorities_q1 <= authorities_median
           and authorities_median <= authorities_q3 and authorities_q3 <= authorities_max)
{% endtest %}
