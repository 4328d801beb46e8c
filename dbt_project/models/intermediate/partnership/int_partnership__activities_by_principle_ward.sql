-- Partner activity returns split into one row per programme, quarter, principle and ward
-- (a programme working across several principles or wards appears under each).
select
    returns.quarter,
    returns.partner_name,
    returns.programme,
    returns.offer,
    returns.people_reached,
    principles.principle_key,
    trim(ward.ward_name) as ward_name
from {{ ref('stg_partnership__activity_returns') }} as returns
cross join unnest(string_split(returns.principles, ';')) as principle(code)
cross join unnest(string_split(returns.wards, ';')) as ward(ward_name)
inner join {{ ref('principles') }} as principles
    on principles.principle_number = cast(substr(principle.code, 2) as integer)
