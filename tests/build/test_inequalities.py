"""Inequality marts of the session build: an SII (or its reason) for every indicator and period with IMD
quintile values, agreeing with an independent call of marmot.stats.sii on the published quintiles; group
comparisons including the stop-and-search disparity ratio; and the dbt tests on both marts shown to fail on
broken copies of them."""

from __future__ import annotations

import math
import zlib

import duckdb
import numpy as np
import pytest

from marmot.stats import sii

MARTS = ("mart_indicator_inequalities", "mart_indicator_group_comparisons")


def test_every_indicator_and_period_with_quintiles_has_an_sii_or_a_reason(warehouse):
    expected = set(warehouse.sql("select distinct indicator_id, period from marts.mart_indicator_values "
                                 "where geography_level = 'imd_quintile'").fetchall())
    rows = warehouse.sql("select indicator_id, period, sii, sii_reason from marts.mart_indicator_inequalities"
                         ).fetchall()
    assert {(i, p) for i, p, *_ in rows} == expected
    with_sii = [r for r in rows if r[2] is not None]
    assert len(with_sii) > 50 and all((r[2] is None) != (r[3] is None) for r in rows)
    # a suppressed quintile is the usual reason: the SII would let a reader solve for its value
    assert any(r[3].startswith("a quintile value is suppressed") for r in rows if r[3])


@pytest.mark.parametrize("indicator_id, value_type, scale", [("p2_attainment8", 0, 1), ("p1_school_readiness", 2, 100)])
def test_the_sii_agrees_with_phe_sii_on_the_published_quintiles(warehouse, indicator_id, value_type, scale):
    period, got = warehouse.execute(
        "select period, [sii, sii_lower_95, sii_upper_95, rii, rii_lower_95, rii_upper_95] "
        "from marts.mart_indicator_inequalities where indicator_id = ? and sii is not null "
        "order by period desc limit 1", [indicator_id]).fetchone()
    q = np.array(warehouse.execute(
        "select denominator, value, lower_95, upper_95 from marts.mart_indicator_values where indicator_id = ? "
        "and period = ? and geography_level = 'imd_quintile' order by area_code", [indicator_id, period]).fetchall())
    result = sii(q[:, 0], q[:, 1] / scale, lower=q[:, 2] / scale, upper=q[:, 3] / scale, value_type=value_type,
                 transform=value_type > 0, multiplier=scale, rng=zlib.crc32(f"{indicator_id}|{period}".encode()))
    expected = [result.sii, *result.sii_limits[0], result.rii, *result.rii_limits[0]]
    assert got == pytest.approx(expected, rel=2e-3)  # the mart rounds the quintile values to 4 decimals
    assert got[0] > 0  # the synthetic least deprived do better on both


def test_the_latest_sii_is_the_inequality_mart_row_of_the_latest_period(warehouse):
    rows = warehouse.sql("""
        select latest.indicator_id, latest.sii, ineq.sii, latest.sii_reason, ineq.sii_reason, latest.sii_trend_code
        from marts.mart_indicator_latest as latest
        left join marts.mart_indicator_inequalities as ineq
            on latest.indicator_id = ineq.indicator_id and latest.latest_period = ineq.period""").fetchall()
    assert sum(r[1] is not None for r in rows) > 10
    for ind, latest_sii, sii_value, latest_reason, reason, _ in rows:
        assert latest_sii == sii_value, ind
        assert latest_reason == (reason if sii_value is not None or reason else
                                 "no IMD quintile values for this indicator"), ind


def test_the_stop_and_search_disparity_ratio_is_published_against_white(warehouse):
    rows = warehouse.sql("""
        select c.period, c.ratio, c.ratio_lower_95, c.ratio_upper_95, b.value / w.value,
            [b.lower_95, b.upper_95, w.lower_95, w.upper_95]
        from marts.mart_indicator_group_comparisons as c
        join marts.mart_indicator_breakdowns as b on b.indicator_id = c.indicator_id and b.period = c.period
            and b.breakdown_value = 'Black'
        join marts.mart_indicator_breakdowns as w on w.indicator_id = c.indicator_id and w.period = c.period
            and w.breakdown_value = 'White'
        where c.indicator_id = 'p7_stop_search_rate' and c.breakdown_value = 'Black'
            and c.comparator = 'White'""").fetchall()
    assert rows and all(r[1] is not None for r in rows)
    for _, ratio, lower, upper, direct, (b_lower, b_upper, w_lower, w_upper) in rows:
        assert ratio == pytest.approx(direct, rel=1e-3) and lower < ratio < upper
        # the log method by hand: SE of each log value from its 95% CI, independent groups
        half_width = 1.96 * math.hypot(math.log(b_upper / b_lower), math.log(w_upper / w_lower)) / (2 * 1.96)
        assert (lower, upper) == pytest.approx((direct * math.exp(-half_width), direct * math.exp(half_width)),
                                               rel=1e-3)
    assert all(r[1] > 1 for r in rows)  # the synthetic data stop Black residents more often


def _compiled_tests(built, mart):
    """The compiled SQL of every dbt test that reads only ``mart`` (generic and singular), by file name."""
    tests = {path.name: path.read_text() for path in (built.dbt_target / "compiled").rglob("*.sql")
             if path.parent.name != "marts"}
    return {name: sql for name, sql in tests.items()
            if sql.count('"build".') == sql.count(f'"build"."marts"."{mart}"') > 0}


def _failing(con, tests):
    return {name for name, sql in tests.items() if con.execute(f"select count(*) from ({sql})").fetchone()[0]}


BROKEN = {  # a copy of the mart broken one way -> a test that must then fail (its file name starts so)
    "sii with a reason": ("mart_indicator_inequalities",
                          "update build.marts.{mart} set sii_reason = 'made up' where sii is not null",
                          "assert_inequalities_sii_exactly_without_reason"),
    "sii without limits": ("mart_indicator_inequalities",
                           "update build.marts.{mart} set rii_upper_95 = null where sii is not null",
                           "assert_inequalities_sii_exactly_without_reason"),
    "sii outside its ci": ("mart_indicator_inequalities",
                           "update build.marts.{mart} set sii = sii_upper_95 + 1 where sii is not null",
                           "interval_contains_value"),
    "rii outside its ci": ("mart_indicator_inequalities",
                           "update build.marts.{mart} set rii = rii_lower_95 / 2 where rii is not null",
                           "interval_contains_value"),
    "bad trend code": ("mart_indicator_inequalities", "update build.marts.{mart} set sii_trend_code = 'worse'",
                       "accepted_values"),
    "ratio outside its ci": ("mart_indicator_group_comparisons",
                             "update build.marts.{mart} set ratio = ratio_upper_95 * 2 where ratio is not null",
                             "interval_contains_value"),
    "difference ci without a value": ("mart_indicator_group_comparisons",
                                      "update build.marts.{mart} set difference = null where difference is not null",
                                      "interval_contains_value"),
    "a pair twice": ("mart_indicator_group_comparisons",
                     "insert into build.marts.{mart} select * from build.marts.{mart} limit 1", "unique_combination"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_the_dbt_tests_of_the_inequality_marts_fail_on_broken_data(built, warehouse, case):
    mart, breaking, expected = BROKEN[case]
    tests = _compiled_tests(built, mart)
    assert len(tests) >= 3
    con = duckdb.connect()
    con.execute("attach ':memory:' as build")
    con.execute("create schema build.marts")
    con.register("source", warehouse.sql(f"select * from marts.{mart}").arrow())
    con.execute(f"create table build.marts.{mart} as select * from source")
    assert _failing(con, tests) == set()  # as built, every test passes
    con.execute(breaking.format(mart=mart))
    assert [name for name in _failing(con, tests) if name.startswith(expected)], case
    con.close()
