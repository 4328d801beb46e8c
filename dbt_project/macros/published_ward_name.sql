{#- A partner's ward column is free text (it has held a street, a school, a person's name): only a reference
    ward's name (int_geography__wards, either vintage, matched ignoring case and spaces) is published; blank,
    'citywide' or 'all wards' is 'City-wide' and anything else 'Ward not recognised'.
    ``reference_name``: the reference ward name joined on lower(trim(raw)), null when none matches. -#}
{% macro published_ward_name(raw, reference_name) -%}
    case
        when coalesce(lower(trim({{ raw }})), '') in ('', 'citywide', 'city-wide', 'city wide', 'all wards', 'all')
            then 'City-wide'
        else coalesce({{ reference_name }}, 'Ward not recognised')
    end
{%- endmacro %}

{#- The reference wards a partner's free-text ward is matched against: ``ward_key`` (lower case) and ``ward_name``;
    join on ``ward_key = lower(trim(raw))`` and pass ``ward_name`` to published_ward_name. -#}
{% macro reference_ward_names() -%}
    select distinct
        lower(ward_name) as ward_key,
        ward_name
    from {{ ref('int_geography__wards') }}
{%- endmacro %}
