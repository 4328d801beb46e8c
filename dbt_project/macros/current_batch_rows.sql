{#
  Rows of a partner dataset that are current: from batches the ledger holds as loaded, and
  for each period only the latest such batch (a re-sent period supersedes the earlier one).

  The staging model that calls this is an incremental table keyed by its period column (the
  model keeps the column's name). A build reads again only the periods that changed since the
  last one: periods with rows of a loaded batch the table does not hold yet, and periods whose
  rows came from a batch that is no longer loaded (superseded). Every staging view was read
  again by each of its tests and consumers, that is, ten years of Parquet batches several times
  a build. `marmot build` rebuilds these tables in full whenever the dbt project or a contract
  changed since the last build (marmot.build.dbt.code_fingerprint), so they never hold rows made by
  an older version of their SQL.
#}
{% macro current_batch_rows(source_relation, period_column) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=period_column,
        post_hook="delete from {{ this }} where batch_id not in ("
                  ~ "select batch_id from {{ ref('stg_platform__ledger') }} where is_loaded)",
    ) }}
    {%- set loaded_batches = "select batch_id from " ~ ref('stg_platform__ledger') ~ " where is_loaded" %}
    select src.*
    from {{ source_relation }} as src
    inner join {{ ref('stg_platform__ledger') }} as ledger
        on src._batch_id = ledger.batch_id
    where ledger.is_loaded
    {%- if is_incremental() %}
        and src.{{ period_column }} in (
            select new_rows.{{ period_column }}
            from {{ source_relation }} as new_rows
            where new_rows._batch_id in ({{ loaded_batches }})
                and new_rows._batch_id not in (select batch_id from {{ this }})
            union
            select {{ period_column }}
            from {{ this }}
            where batch_id not in ({{ loaded_batches }})
        )
    {%- endif %}
    qualify src._batch_id = max(src._batch_id) over (partition by src.{{ period_column }})
{%- endmacro %}
