-- No figure without its definition: every indicator of the values mart has a metadata row with its
-- definition, method in words, source partner's name and how to read it. Fails with the indicators that lack any.
select values_mart.indicator_id
from (select distinct indicator_id from {{ ref('mart_indicator_values') }}) as values_mart
left join {{ ref('mart_indicator_metadata') }} as metadata using (indicator_id)
where metadata.indicator_id is null
    or nullif(trim(metadata.definition), '') is null
    or nullif(trim(metadata.method_description), '') is null
    or nullif(trim(metadata.source_partner_name), '') is null
    or nullif(trim(metadata.how_to_read), '') is null
