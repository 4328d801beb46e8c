{#
  Period helpers. Partners send months ('YYYY-MM'), calendar quarters ('YYYY-Qn', Q1 =
  January-March), calendar years ('YYYY'), academic and financial years ('YYYY/YY').
  Months and quarters are rolled up to calendar or financial years.
#}

{# 'YYYY/YY' label of the year starting in the given start year (an integer expression). #}
{% macro split_year_label(start_year) -%}
    (cast({{ start_year }} as varchar) || '/' || lpad(cast(({{ start_year }} + 1) % 100 as varchar), 2, '0'))
{%- endmacro %}

{# Financial year (April-March) of a month 'YYYY-MM'. #}
{% macro financial_year_of_month(month) -%}
    {{ split_year_label("cast(left(" ~ month ~ ", 4) as integer) - case when cast(right(" ~ month ~ ", 2) as integer) < 4 then 1 else 0 end") }}
{%- endmacro %}

{# Financial year (April-March) of a calendar quarter 'YYYY-Qn' (Q1 belongs to the previous one). #}
{% macro financial_year_of_quarter(quarter) -%}
    {{ split_year_label("cast(left(" ~ quarter ~ ", 4) as integer) - case when right(" ~ quarter ~ ", 1) = '1' then 1 else 0 end") }}
{%- endmacro %}

{# Calendar year 'YYYY' of a month or quarter. #}
{% macro calendar_year_of(month_or_quarter) -%}
    left({{ month_or_quarter }}, 4)
{%- endmacro %}

{# Mid-year population year 'YYYY' as the period of an indicator of the given period type. #}
{% macro period_of_population_year(year, period_type) -%}
    {%- if period_type in ('financial_year', 'academic_year') -%}
        {{ split_year_label("cast(" ~ year ~ " as integer)") }}
    {%- else -%}
        {{ year }}
    {%- endif -%}
{%- endmacro %}

{# First day of a period label 'YYYY', 'YYYY/YY' or pooled 'YYYY-YYYY'; period_type is a SQL
   expression (academic years start on 1 September, financial years on 1 April). #}
{% macro period_start(period, period_type) -%}
    make_date(cast(left({{ period }}, 4) as integer),
              case {{ period_type }} when 'academic_year' then 9 when 'financial_year' then 4 else 1 end, 1)
{%- endmacro %}

{#
  Rows of a monthly or quarterly relation with the calendar or financial year they roll up
  to (column calendar_year / financial_year), keeping complete years only (12 months or 4
  quarters present), so that a part year is never published as a year.
#}
{% macro rolled_up_to_years(relation, column, year_type) -%}
    {%- set parts = 12 if column == 'month' else 4 -%}
    {%- if year_type == 'financial' -%}
        {%- set year = financial_year_of_month(column) if column == 'month' else financial_year_of_quarter(column) -%}
    {%- else -%}
        {%- set year = calendar_year_of(column) -%}
    {%- endif %}
    select *, {{ year }} as {{ year_type }}_year
    from {{ relation }}
    qualify count(distinct {{ column }}) over (partition by {{ year }}) = {{ parts }}
{%- endmacro %}

{# Last day of a single period label 'YYYY' (31 December), academic 'YYYY/YY' (31 August) or
   financial 'YYYY/YY' (31 March); period_type is a SQL expression. #}
{% macro period_end(period, period_type) -%}
    case {{ period_type }}
        when 'academic_year' then make_date(cast(left({{ period }}, 4) as integer) + 1, 8, 31)
        when 'financial_year' then make_date(cast(left({{ period }}, 4) as integer) + 1, 3, 31)
        else make_date(cast(left({{ period }}, 4) as integer), 12, 31)
    end
{%- endmacro %}
