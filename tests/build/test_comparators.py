"""Comparators in a synthetic build: Fingertips values of the same period, the approximate fallback labelled,
and the dbt tests that guard them shown failing on broken copies of the built tables."""

from __future__ import annotations

import re

import duckdb
import pytest
from conftest import TEST_KEY, copy_home

from marmot.build import dbt
from marmot.build.dbt import BuildFailed
from marmot.orchestration import pipeline


def test_a_past_period_is_benchmarked_against_its_own_england_value(warehouse):
    """Each city value compared with Fingertips' England value of the same "Time period" (not today's), and the
    England line is no longer flat."""
    rows = warehouse.sql("""
        select v.indicator_id, v.period, v.england_value, ft.value, ft.time_period
        from marts.mart_indicator_values as v
        inner join reference.fingertips_indicators as m using (indicator_id)
        inner join staging.stg_ohid__fingertips as ft
            on ft.fingertips_indicator_id = m.fingertips_indicator_id and ft.sex = m.sex
            and ft.area_code = 'E92000001' and ft.category_type is null
            and ft.time_period = case when regexp_full_match(v.period, '[0-9]{4}-[0-9]{4}')
                then left(v.period, 4) || ' - ' || right(v.period, 2) else v.period end
        where v.geography_level = 'city' and v.england_value_source = 'fingertips'
    """).fetchall()
    assert len(rows) >= 30
    assert all(england == pytest.approx(fingertips) for _, _, england, fingertips, _ in rows)
    by_indicator: dict[str, set] = {}
    for indicator, _, england, *_ in rows:
        by_indicator.setdefault(indicator, set()).add(england)
    assert all(len(values) > 1 for indicator, values in by_indicator.items()
               if sum(r[0] == indicator for r in rows) > 1), by_indicator


def test_without_a_fingertips_value_england_is_the_approximate_seed_value_and_says_so(warehouse):
    rows = warehouse.sql("""
        select england_value_source, england_value_is_approximate, comparators_are_synthetic, count(*)
        from marts.mart_indicator_latest where england_value is not null group by all order by all
    """).fetchall()
    assert {(source, approximate, synthetic) for source, approximate, synthetic, _ in rows} == {
        ("approximate_seed", True, False), ("fingertips", False, True)}
    leaks = warehouse.sql("""select count(*) from marts.mart_indicator_comparators
                             where source = 'approximate_seed' and comparator_kind <> 'england'""").fetchone()[0]
    assert leaks == 0  # the region and peers are never filled in with anything but Fingertips values


def test_quartiles_span_all_upper_tier_authorities(warehouse):
    rows = warehouse.sql("""select distinct indicator_id, period, authorities, authorities_min, authorities_q1,
                                   authorities_median, authorities_q3, authorities_max
                            from marts.mart_indicator_comparators where authorities is not null""").fetchall()
    assert rows and all(r[2] == 153 for r in rows)  # 16 named and 137 synthetic authorities, no England or region
    assert all(r[3] <= r[4] <= r[5] <= r[6] <= r[7] for r in rows)


BREAKS = {  # dbt test that must fail -> the damage done to a copy of the build
    "approximate_only_from_the_seed_int_indicator_comparators_":
        "update intermediate.int_indicator_comparators set is_approximate = true "
        "where comparator_kind = 'region' and period = (select min(period) from intermediate.int_indicator_comparators "
        "where comparator_kind = 'region')",
    "quartiles_in_order_int_indicator_comparator_quartiles_":
        "update intermediate.int_indicator_comparator_quartiles set authorities_q1 = authorities_median + 1 "
        "where period = (select min(period) from intermediate.int_indicator_comparator_quartiles)",
    "assert_comparators_are_of_the_same_period":
        "update marts.mart_indicator_comparators set fingertips_period = '1999' "  # another period's comparator
        "where source = 'fingertips' and period = (select min(period) from marts.mart_indicator_comparators "
        "where source = 'fingertips')",
    "accepted_values_mart_indicator_latest_england_comparison_code":
        "update marts.mart_indicator_latest set england_comparison_code = 'Better' "
        "where indicator_id = (select min(indicator_id) from marts.mart_indicator_latest)",
}


def test_the_comparator_dbt_tests_fail_on_broken_tables(built, tmp_path, monkeypatch):
    home = copy_home(built, tmp_path)
    with duckdb.connect(str(home.build_db)) as con:
        for damage in BREAKS.values():
            assert con.execute(damage).fetchall()[0][0] > 0, damage
    for key, value in dbt.dbt_env(home).items():  # as run_dbt sets them, given back after the test
        monkeypatch.setenv(key, value)
    with pytest.raises(BuildFailed) as failed:
        dbt.run_dbt(home, ["test", "--select", "int_indicator_comparators", "int_indicator_comparator_quartiles",
                           "mart_indicator_comparators", "mart_indicator_latest"])
    failing = re.findall(r"test\.marmot\.([a-z0-9_]+)", str(failed.value))
    for name in BREAKS:
        assert any(f.startswith(name) for f in failing), (name, failing)


def test_the_site_labels_approximate_and_synthetic_england_values_and_shows_the_region(built, tmp_path, monkeypatch):
    home = copy_home(built, tmp_path)
    monkeypatch.setenv("MARMOT_HOME", str(home.home))
    monkeypatch.setenv("MARMOT_PSEUDONYM_KEY", TEST_KEY)
    pipeline.publish(home, validation=pipeline.validate(home))
    with duckdb.connect(str(home.build_db), read_only=True) as con:
        latest = con.sql("select indicator_id, england_value_source from marts.mart_indicator_latest "
                         "where england_value is not null").fetchall()
    approximate = [i for i, source in latest if source == "approximate_seed"]
    fingertips = [i for i, source in latest if source == "fingertips"]
    overview = (home.current / "index.html").read_text(encoding="utf-8")
    # one ≈ beside every approximate England value in the overview's grid, explained once in its key
    assert overview.count('<abbr class="approx" title="Approximate England value') == len(approximate)
    assert overview.count('<abbr title="Approximate England value">≈</abbr> approximate England value') == 1
    assert overview.count(">synthetic</span>") == len(fingertips)
    assert '<th scope="col">vs peers (median) <abbr class="approx" title="Peer list not confirmed' in overview
    for indicator in approximate[:3]:
        page = (home.current / f"indicator-{indicator}.html").read_text(encoding="utf-8")
        headline = page[page.index('<dl class="headline">'):page.index("</dl>")]
        assert "Approximate England value" in headline, indicator
        assert "no Fingertips value of this period" in page, indicator
    for indicator in fingertips[:3]:
        page = (home.current / f"indicator-{indicator}.html").read_text(encoding="utf-8")
        section = page[page.index('id="comparators-h"'):]
        assert "West Midlands region" in section and "upper-tier authorities" in section, indicator
        assert "Peer list not confirmed" in section, indicator  # seed peer_group: recalled, is_verified false
        assert "Approximate England value" not in page[page.index('<dl class="headline">'):page.index("</dl>")]
