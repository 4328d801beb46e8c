{# Fails with every row whose 95% confidence interval does not contain its value, and every row that has an
   interval (any limit) but no value: a published interval always goes with a value. With lower_998 and upper_998
   (the 99.8% limits), also every row whose intervals do not nest (lower 99.8% <= lower 95% <= value <= upper 95%
   <= upper 99.8%). The columns default to value, lower_95 and upper_95 (no 99.8% limits). #}
{% test interval_contains_value(model, value='value', lower='lower_95', upper='upper_95', lower_998=none,
                                upper_998=none) %}
select *
from {{ model }}
where {{ value }} < {{ lower }} - 1e-9 or {{ value }} > {{ upper }} + 1e-9
    or ({{ value }} is null and ({{ lower }} is not null or {{ upper }} is not null))
{% if lower_998 %}
    or {{ lower }} < {{ lower_998 }} - 1e-9 or {{ upper }} > {{ upper_998 }} + 1e-9
    or ({{ value }} is null and ({{ lower_998 }} is not null or {{ upper_998 }} is not null))
{% endif %}
{% endtest %}
