-- One row per Coventry LSOA (2021) and ward vintage: the LSOA's ward while that vintage is
-- valid, its national IMD 2025 decile and quintile and its local (Coventry) IMD decile.
with ward_lookups as (
    select lsoa21_code, ward_code from {{ ref('lsoa21_ward_lookup') }}
    union all
    select lsoa21_code, ward_code from {{ ref('lsoa21_ward2026_lookup') }}
)

select
    imd.lsoa21_code,
    imd.lsoa21_name,
    cast(imd.imd_decile as integer) as imd_decile,
    cast(ceil(imd.imd_decile / 2) as integer) as imd_quintile,
    local_deciles.local_imd_decile,
    wards.ward_code,
    wards.ward_name,
    wards.valid_from,
    wards.valid_to
from {{ ref('lsoa21_imd2025') }} as imd
inner join {{ ref('int_geography__lsoa21_local_deciles') }} as local_deciles using (lsoa21_code)
inner join ward_lookups using (lsoa21_code)
inner join {{ ref('int_geography__wards') }} as wards using (ward_code)
