-- Every principle's values (models/intermediate/values) in one relation: raw, never published.
{{ config(materialized='view') }}

select * from {{ ref('int_indicator_values__p1_best_start') }}
union all
select * from {{ ref('int_indicator_values__p2_capabilities') }}
union all
select * from {{ ref('int_indicator_values__p3_fair_work') }}
union all
select * from {{ ref('int_indicator_values__p4_living_standards') }}
union all
select * from {{ ref('int_indicator_values__p5_places') }}
union all
select * from {{ ref('int_indicator_values__p6_prevention') }}
union all
select * from {{ ref('int_indicator_values__p7_racism') }}
union all
select * from {{ ref('int_indicator_values__p8_environment') }}
union all
select * from {{ ref('int_indicator_values__h0_headline') }}
