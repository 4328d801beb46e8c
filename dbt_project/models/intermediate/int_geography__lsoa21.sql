-- One row per Coventry LSOA (2021) with its IMD 2025 decile and quintile and (synthetic) ward.
select
    imd.lsoa21_code,
    imd.lsoa21_name,
    cast(imd.imd_decile as integer) as imd_decile,
    cast(ceil(imd.imd_decile / 2) as integer) as imd_quintile,
    wards.ward_code,
    wards.ward_name
from {{ ref('lsoa21_imd2025') }} as imd
inner join {{ ref('lsoa21_ward_lookup') }} as lookup using (lsoa21_code)
inner join {{ ref('wards') }} as wards on lookup.ward_code = wards.ward_code
