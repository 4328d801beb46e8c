-- mart_indicator_inequalities: an SII (with RII and both intervals) exactly when no reason is given, and a
-- row with neither says nothing. Fails with every row that has an SII and a reason, or neither, or an SII
-- without its RII or limits.
select indicator_id, period, sii, sii_reason
from {{ ref('mart_indicator_inequalities') }}
where (sii is null) = (sii_reason is null)
    or (sii is not null and (rii is null or sii_lower_95 is null or sii_upper_95 is null
                             or rii_lower_95 is null or rii_upper_95 is null))
