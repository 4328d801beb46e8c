-- Partners' case studies as published, one row per case study with its text: partner-authored narrative of their
-- work under a principle, which the contract (partnership__case_studies) asks to hold no personal details of
-- individuals and flags no column as personal data. Two guards all the same: the ward is published only by its
-- reference name (macro published_ward_name; a partner's ward is free text), and a case study whose title, summary
-- or outcome holds what looks like contact details or an identifier (an e-mail address, a phone number, a
-- 10-digit NHS number, a postcode) is published without its text (text_withheld), never as sent.
with reference_wards as (
    {{ reference_ward_names() }}
),

studies as (
    select
        s.*,
        regexp_matches(
            concat_ws(' ', s.title, s.summary, s.outcome),
            '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+'
            || '|(\+44|\b0)[ -]?\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}\b'
            || '|\b\d{3}[ -]?\d{3}[ -]?\d{4}\b'
            || '|\b[A-Za-z]{1,2}\d[A-Za-z0-9]? ?\d[A-Za-z]{2}\b'
        ) as text_withheld
    from {{ ref('stg_partnership__case_studies') }} as s
)

select
    principles.principle_key,
    principles.principle_label,
    studies.quarter,
    {{ published_ward_name('studies.ward', 'w.ward_name') }} as ward_name,
    studies.partner_name,
    case when studies.text_withheld then 'Case study' else studies.title end as title,
    case when not studies.text_withheld then studies.summary end as summary,
    case when not studies.text_withheld then studies.outcome end as outcome,
    studies.text_withheld
from studies
inner join {{ ref('principles') }} as principles
    on principles.principle_number = cast(substr(studies.principle, 2) as integer)
left join reference_wards as w on w.ward_key = lower(trim(studies.ward))
