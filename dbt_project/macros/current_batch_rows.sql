{#
  Rows of a partner dataset that are current: from batches the ledger holds as loaded, and
  for each period only the latest such batch (a re-sent period supersedes the earlier one).
#}
{% macro current_batch_rows(source_relation, period_column) -%}
    select src.*
    from {{ source_relation }} as src
    inner join {{ ref('stg_platform__ledger') }} as ledger
        on src._batch_id = ledger.batch_id
    where ledger.is_loaded
    qualify src._batch_id = max(src._batch_id) over (partition by src.{{ period_column }})
{%- endmacro %}
