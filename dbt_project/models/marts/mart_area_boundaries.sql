-- The boundaries the site draws its ward maps from (reference data loaded like any partner file): every boundary
-- year of Coventry's wards, with whether the file was synthetic demo data.
select
    'ward' as area_level,
    b.ward_code as area_code,
    b.ward_name as area_name,
    b.boundary_year,
    b.geometry,
    coalesce(ledger.is_synthetic, false) as is_synthetic
from {{ ref('stg_ons__ward_boundaries') }} as b
left join {{ ref('stg_platform__ledger') }} as ledger
    on b.batch_id = ledger.batch_id
