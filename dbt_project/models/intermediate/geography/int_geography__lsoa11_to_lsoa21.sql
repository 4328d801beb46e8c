-- LSOA 2011 (with IMD 2019 decile and quintile) to LSOA 2021: the same code where the LSOA
-- continued unchanged; 2011 LSOAs that were split or merged have no 2021 match here.
select
    lsoa11.lsoa11_code,
    cast(lsoa11.imd_decile as integer) as imd2019_decile,
    cast(ceil(lsoa11.imd_decile / 2) as integer) as imd2019_quintile,
    lsoa21.lsoa21_code
from {{ ref('lsoa11_imd2019') }} as lsoa11
left join {{ ref('lsoa21_imd2025') }} as lsoa21 on lsoa11.lsoa11_code = lsoa21.lsoa21_code
