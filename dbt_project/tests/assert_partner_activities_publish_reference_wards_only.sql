-- A ward published in mart_partner_activities is a reference ward's name, City-wide or Ward not recognised:
-- never a partner's free text (see macro published_ward_name).
select ward_name
from {{ ref('mart_partner_activities') }}
where ward_name not in ('City-wide', 'Ward not recognised')
    and ward_name not in (select ward_name from {{ ref('int_geography__wards') }})
