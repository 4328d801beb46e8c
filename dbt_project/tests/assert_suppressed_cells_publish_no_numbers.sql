-- Disclosure control: a suppressed cell of a published mart carries no number and no England
-- comparison (which would reveal where its value lies). Fails with the cells that leak.
{% set measures = ['numerator', 'denominator', 'value', 'lower_95', 'upper_95', 'lower_998', 'upper_998', 'england_comparison'] %}
{% for mart in ['mart_indicator_values', 'mart_indicator_breakdowns'] %}
select
    '{{ mart }}' as mart,
    indicator_id,
    period,
    {{ 'area_code' if mart == 'mart_indicator_values' else 'breakdown_value' }} as cell
from {{ ref(mart) }}
where is_suppressed
    and ({% for m in measures %}{{ m }} is not null{{ ' or ' if not loop.last }}{% endfor %})
{{ 'union all' if not loop.last }}
{% endfor %}
