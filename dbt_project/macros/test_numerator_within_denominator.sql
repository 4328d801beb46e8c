{# Counts must be non-negative and, for proportions, the numerator cannot exceed the denominator
   (a zero denominator is legitimate: an area with nobody at risk has no value). #}
{% test numerator_within_denominator(model) %}
select *
from {{ model }}
where numerator < 0 or denominator < 0 or numerator > denominator
{% endtest %}
