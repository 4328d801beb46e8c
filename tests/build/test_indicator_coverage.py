"""The marts cover all eight Marmot principles and the headline outcomes with at least 40
indicators, every one computed from the landed synthetic extracts."""

from __future__ import annotations

import csv
from datetime import date

from marmot.settings import dbt_project_dir

CATALOGUE = dbt_project_dir() / "seeds" / "catalogue"
CITY_ONLY_SOURCES = {("public_health", "treatment_exits"), ("police", "stop_search"), ("workforce", "wres")}
CITY_ONLY_METHODS = {"sii_life_expectancy", "le_gap_deciles"}  # one value across the local deciles


def _catalogue():
    with open(CATALOGUE / "indicator_catalogue.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_principle_has_indicators_and_there_are_at_least_40(warehouse):
    with open(CATALOGUE / "principles.csv", newline="", encoding="utf-8") as f:
        principles = {r["principle_key"] for r in csv.DictReader(f)}
    per_principle = dict(warehouse.sql(
        "select principle_key, count(*) from marts.mart_indicator_latest where value is not null "
        "group by 1").fetchall())
    assert set(per_principle) == principles and len(principles) == 9
    assert sum(per_principle.values()) >= 40
    summary = dict(warehouse.sql("select principle_key, indicators from marts.mart_principle_summary").fetchall())
    assert summary == {p: n for p, n in warehouse.sql(
        "select principle_key, count(*) from marts.mart_indicator_latest group by 1").fetchall()}


def test_every_catalogue_indicator_is_published_for_every_period_at_city_ward_and_quintile(warehouse):
    published = {i: (levels, periods) for i, levels, periods in warehouse.sql(
        "select indicator_id, list(distinct geography_level), count(distinct period) "
        "from marts.mart_indicator_values group by 1").fetchall()}
    for row in _catalogue():
        levels, periods = published[row["indicator_id"]]
        city_only = ((row["source_partner"], row["source_dataset"]) in CITY_ONLY_SOURCES
                     or row["method"] in CITY_ONLY_METHODS)
        assert set(levels) == ({"city"} if city_only else {"city", "ward", "imd_quintile"}), row["indicator_id"]
        if row["source_dataset"] == "households_2021":
            assert periods == 1  # the census is one year
        else:
            # five years landed (monthly data: four complete years, so two 3-year windows)
            assert periods >= (2 if row["pooled_years"] == "3" else 4), row["indicator_id"]


def test_breakdowns_follow_the_catalogue(warehouse):
    published = {(i, b) for i, b in warehouse.sql(
        "select distinct indicator_id, breakdown from marts.mart_indicator_breakdowns").fetchall()}
    expected = {(r["indicator_id"], b) for r in _catalogue() for b in r["breakdowns"].split(";") if b}
    assert published == expected


def test_ward_rows_use_only_wards_of_their_vintage(warehouse):
    """Each ward row's period starts while its ward (2004 GSS or synthetic 2026 vintage) is valid."""
    rows = warehouse.sql(
        "select distinct m.area_code, w.valid_from, w.valid_to, m.period, cat.period_type "
        "from marts.mart_indicator_values as m "
        "join intermediate.int_geography__wards as w on m.area_code = w.ward_code "
        "join reference.indicator_catalogue as cat using (indicator_id)").fetchall()
    starts = {"academic_year": 9, "financial_year": 4, "calendar_year": 1}
    assert rows
    for code, valid_from, valid_to, period, period_type in rows:
        start = date(int(period[:4]), starts[period_type], 1)
        assert valid_from <= start <= valid_to, (code, period)
