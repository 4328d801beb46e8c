-- Every principle's counts (models/intermediate/counts, macros/indicator_counts.sql) in one relation.
{{ config(materialized='view') }}

select * from {{ ref('int_indicator_counts__p1_best_start') }}
union all
select * from {{ ref('int_indicator_counts__p2_capabilities') }}
union all
select * from {{ ref('int_indicator_counts__p3_fair_work') }}
union all
select * from {{ ref('int_indicator_counts__p4_living_standards') }}
union all
select * from {{ ref('int_indicator_counts__p5_places') }}
union all
select * from {{ ref('int_indicator_counts__p6_prevention') }}
union all
select * from {{ ref('int_indicator_counts__p7_racism') }}
union all
select * from {{ ref('int_indicator_counts__p8_environment') }}
union all
select * from {{ ref('int_indicator_counts__h0_headline') }}
