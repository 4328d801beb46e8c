{# Fails with each comparator row whose approximate flag disagrees with its source: only England's seeded
   value (source approximate_seed) may be approximate, and it must say so. #}
{% test approximate_only_from_the_seed(model) %}
select *
from {{ model }}
where is_approximate is distinct from (source = 'approximate_seed')
    or (source = 'approximate_seed' and comparator_kind <> 'england')
{% endtest %}
