{# Fails with every row whose validity period ends before it starts. #}
{% test valid_period(model, from_column, to_column) %}
select *
from {{ model }}
where {{ to_column }} < {{ from_column }}
{% endtest %}
