{# Fails with every row whose intervals do not nest around its value (lower 99.8% <= lower 95% <= value <=
   upper 95% <= upper 99.8%), and every row that has an interval (any limit) but no value: a published interval
   always goes with a value. #}
{% test interval_contains_value(model) %}
select *
from {{ model }}
where value < lower_95 - 1e-9 or value > upper_95 + 1e-9
    or lower_95 < lower_998 - 1e-9 or upper_95 > upper_998 + 1e-9
    or (value is null and (lower_95 is not null or upper_95 is not null
                           or lower_998 is not null or upper_998 is not null))
{% endtest %}
