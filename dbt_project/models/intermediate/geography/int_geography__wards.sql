-- Electoral wards as a slowly changing dimension: the 18 wards of 2004-2026 and the 18 of
-- the May 2026 review, whose real codes are not yet known (synthetic placeholder codes).
select
    ward_code,
    ward_name,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(code_is_synthetic as boolean) as code_is_synthetic
from {{ ref('wards') }}
