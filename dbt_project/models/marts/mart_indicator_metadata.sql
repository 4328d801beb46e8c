-- Everything a reader needs beside a figure, one row per indicator: the definition, numerator and
-- denominator, the source (partner, dataset, how often it comes, when it last came), the method in
-- words with its reference, polarity, the periods published (and whether any is a part period),
-- caveats, how to read the figures, what the deprivation gap means and how it is signed, and how
-- small numbers are protected. Text comes from the catalogue and methods seeds and the contracts; whether
-- comparators are approximate or synthetic from int_indicator_comparators.
with catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

periods as (
    select
        indicator_id,
        min(period) as first_period,
        max(period) as latest_period,
        max(period) filter (where is_usable) as latest_complete_period,
        count(*) as periods_published,
        count(*) filter (where not is_complete) as part_periods
    from {{ ref('int_indicator_periods') }}
    group by indicator_id
),

quintiles as (
    select distinct indicator_id
    from {{ ref('int_indicator_values__disclosure_controlled') }}
    where geography_level = 'imd_quintile'
),

wards as (
    select distinct indicator_id
    from {{ ref('int_indicator_values__disclosure_controlled') }}
    where geography_level = 'ward'
),

england as (
    select
        indicator_id,
        bool_or(is_approximate) as england_is_approximate,
        bool_or(is_synthetic) as comparators_are_synthetic
    from {{ ref('int_indicator_comparators') }}
    where comparator_kind = 'england'
    group by indicator_id
),

received as (
    select partner, dataset, max(received_at) as last_data_received_at
    from {{ ref('stg_platform__ledger') }}
    where is_loaded
    group by partner, dataset
),

polarity_words as (
    select * from (values
        ('HiG', 'High is good', 'Higher values are better.', 'better', 'worse'),
        ('LiG', 'Low is good', 'Lower values are better.', 'worse', 'better'),
        ('BOB', 'No judgement', 'Neither higher nor lower values are judged better: comparisons say higher or lower.',
         'not judged better or worse', 'not judged better or worse')
    ) as t (polarity, polarity_name, polarity_description, higher_means, lower_means)
)

select
    catalogue.indicator_id,
    catalogue.indicator_name,
    catalogue.principle_key,
    principles.principle_label,
    catalogue.definition,
    catalogue.numerator as numerator_definition,
    catalogue.denominator as denominator_definition,
    catalogue.unit,
    catalogue.multiplier,
    catalogue.method,
    methods.method_name,
    methods.method_description,
    methods.method_reference,
    case when catalogue.method = 'weighted_mean' then 'None (modelled data)' else '95% and 99.8%' end
        as confidence_levels,
    catalogue.polarity,
    polarity_words.polarity_name,
    polarity_words.polarity_description,
    concat_ws(', ', 'Coventry',
              case when wards.indicator_id is not null then 'wards' end,
              case when quintiles.indicator_id is not null then 'national IMD quintiles' end,
              nullif(replace(catalogue.breakdowns, ';', ', '), '')) as breakdowns,
    catalogue.period_type,
    catalogue.pooled_years,
    schedule.frequency,
    catalogue.source_partner,
    schedule.partner_name as source_partner_name,
    catalogue.source_dataset,
    schedule.dataset_title as source_dataset_title,
    'partners.html#' || catalogue.source_partner || '__' || catalogue.source_dataset as data_status_page,
    received.last_data_received_at,
    periods.first_period,
    periods.latest_period,
    periods.latest_complete_period,
    coalesce(periods.periods_published, 0) as periods_published,
    coalesce(periods.part_periods, 0) as part_periods,
    catalogue.uses_incomplete_periods,
    nullif(concat_ws(' ',
        nullif(catalogue.caveats, ''),
        case when catalogue.pooled_years > 1 then
            'Each period pools ' || catalogue.pooled_years || ' years to give stable figures for small numbers; '
            || 'consecutive periods overlap, so no trend test is made.' end,
        case when catalogue.method = 'survey_wilson' then
            'Survey estimate: respondents are weighted to the population and the interval allows for the weighting.'
        end,
        case when periods.part_periods > 0 and not catalogue.uses_incomplete_periods then
            'Part periods (data received before the period ended) are shown with a note but not compared with '
            || 'England, not used as the latest value and not in the trend test.' end,
        case when england.england_is_approximate then
            'Where OHID Fingertips has no England value for a period, the England value shown is an approximate '
            || 'reference value, labelled approximate.' end,
        case when england.comparators_are_synthetic then
            'The comparator values (England, region, peers) of this demo are synthetic, not Fingertips figures.' end
    ), '') as caveats,
    polarity_words.polarity_description
    || case when catalogue.method = 'weighted_mean' then
        ' Modelled values have no confidence interval and are not compared with England.'
    else
        ' The 95% confidence interval is the range the true value is likely to lie in given the numbers involved '
        || '(small areas and groups have wide intervals). Compared with England: '
        || case catalogue.polarity when 'BOB' then '"Higher" or "Lower"' else '"Better" or "Worse"' end
        || ' when England''s value lies outside the interval, "Similar" when inside it.'
    end
    || ' The trend is the Fingertips test over the last five consecutive complete periods.' as how_to_read,
    case when quintiles.indicator_id is not null then
        'Gap = the value in the least deprived national IMD quintile (Q5) minus the value in the most deprived (Q1), '
        || 'in ' || catalogue.unit || '. A positive gap means the least deprived areas have the higher value, '
        || 'which for this indicator is ' || polarity_words.higher_means || '; a negative gap means the most '
        || 'deprived have the higher value. A gap further from zero is a wider inequality.'
    end as gap_definition,
    coalesce(england.england_is_approximate, false) as england_is_approximate,
    coalesce(england.comparators_are_synthetic, false) as comparators_are_synthetic,
    case when catalogue.suppress_below = 0 then 'No small-number suppression (modelled or non-disclosive data).'
    else 'Counts from 1 to ' || (catalogue.suppress_below - 1) || ' are suppressed'
        || case when catalogue.suppress_complement then ', and so is the rest of the denominator when it is as small'
            else '' end
        || case when catalogue.secondary_suppression then
            '; further values are hidden so that no suppressed count can be worked out from the totals.'
            else '.' end
    end as suppression_rule
from catalogue
inner join {{ ref('principles') }} as principles using (principle_key)
inner join {{ ref('methods') }} as methods using (method)
inner join polarity_words using (polarity)
left join periods using (indicator_id)
left join {{ ref('stg_contracts__dataset_schedule') }} as schedule
    on catalogue.source_partner = schedule.partner and catalogue.source_dataset = schedule.dataset
left join received
    on catalogue.source_partner = received.partner and catalogue.source_dataset = received.dataset
left join quintiles using (indicator_id)
left join wards using (indicator_id)
left join england using (indicator_id)
