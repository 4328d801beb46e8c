-- Every Fingertips comparator published belongs to the same period as the value it is shown with:
-- its Fingertips "Time period" is the catalogue period as Fingertips writes it ('2021-2023' is
-- '2021 - 23'; '2023' and '2023/24' are unchanged). Fails with each row of another period.
select indicator_id, period, comparator_kind, fingertips_period
from {{ ref('mart_indicator_comparators') }}
where source = 'fingertips'
    and fingertips_period is distinct from (
        case when regexp_full_match(period, '[0-9]{4}-[0-9]{4}')
            then left(period, 4) || ' - ' || right(period, 2)
            else period
        end
    )
