-- Every principle's counts (models/intermediate/counts, macros/indicator_counts.sql) in one relation.
{{ config(materialized='view') }}

{{ union_of_principles('int_indicator_counts') }}
