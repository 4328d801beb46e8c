-- What partners are doing, per principle, ward and quarter: programmes (with the people
-- they reached) and case studies. People reached are as reported per programme, so a
-- programme active in several wards or principles counts in each. Wards are published
-- only by their reference names (macro published_ward_name): a partner's ward is free text.
with reference_wards as (
    {{ reference_ward_names() }}
),

activities as (
    select
        a.principle_key,
        {{ published_ward_name('a.ward_name', 'w.ward_name') }} as ward_name,
        a.quarter,
        count(distinct a.partner_name || '|' || a.programme) as programmes,
        cast(sum(a.people_reached) as bigint) as people_reached,
        count(*) filter (where a.offer = 'proportionate_universalism') as proportionate_universalism_programmes
    from {{ ref('int_partnership__activities_by_principle_ward') }} as a
    left join reference_wards as w on w.ward_key = lower(trim(a.ward_name))
    group by all
),

case_studies as (
    select
        principles.principle_key,
        {{ published_ward_name('studies.ward', 'w.ward_name') }} as ward_name,
        studies.quarter,
        count(*) as case_studies,
        string_agg(studies.title, '; ' order by studies.title) as case_study_titles
    from {{ ref('stg_partnership__case_studies') }} as studies
    inner join {{ ref('principles') }} as principles
        on principles.principle_number = cast(substr(studies.principle, 2) as integer)
    left join reference_wards as w on w.ward_key = lower(trim(studies.ward))
    group by all
)

select
    principle_key,
    p.principle_label,
    ward_name,
    quarter,
    coalesce(activities.programmes, 0) as programmes,
    coalesce(activities.people_reached, 0) as people_reached,
    coalesce(activities.proportionate_universalism_programmes, 0) as proportionate_universalism_programmes,
    coalesce(case_studies.case_studies, 0) as case_studies,
    case_studies.case_study_titles
from activities
full outer join case_studies using (principle_key, ward_name, quarter)
inner join {{ ref('principles') }} as p using (principle_key)
