-- Every indicator of a principle falls in exactly one trend column of mart_principle_summary,
-- and in at most one England-comparison column: a trend label or comparison the summary does
-- not know would otherwise drop out of the published counts without anyone noticing.
-- Fails with the principles whose counts do not add up.
select
    principle_key,
    indicators,
    improving + worsening + no_significant_or_no_judgement + trend_not_calculated as trend_counted,
    better_than_england + similar_to_england + worse_than_england as england_counted
from {{ ref('mart_principle_summary') }}
where improving + worsening + no_significant_or_no_judgement + trend_not_calculated <> indicators
    or better_than_england + similar_to_england + worse_than_england > indicators
