-- Every principle's values (models/intermediate/values) in one relation: raw, never published.
{{ config(materialized='view') }}

{{ union_of_principles('int_indicator_values') }}
