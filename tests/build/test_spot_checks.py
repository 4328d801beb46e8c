"""Published figures equal hand computations from the landed Parquet batches with marmot.stats."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from marmot.settings import geography_seeds_dir
from marmot.stats import ESP2013, START_AGES, dsr, life_expectancy, proportion

LOOKUP = geography_seeds_dir() / "lsoa21_ward_lookup.csv"


def _raw(built, partner, dataset):
    return f"read_parquet('{built.raw / partner / dataset}/*.parquet', union_by_name = true)"


def _published(warehouse, indicator_id, period, area_code="E08000026"):
    return warehouse.execute(
        "select numerator, denominator, value, lower_95, upper_95 from marts.mart_indicator_values "
        "where indicator_id = ? and period = ? and area_code = ?", [indicator_id, period, area_code]).fetchone()


def _latest(warehouse, indicator_id):
    return warehouse.execute("select max(period) from marts.mart_indicator_values where indicator_id = ?",
                             [indicator_id]).fetchone()[0]


def test_school_readiness_city_and_ward_from_the_raw_rows(built, warehouse):
    con = duckdb.connect()
    raw = _raw(built, "early_years", "eyfsp")
    year = _latest(warehouse, "p1_school_readiness")
    x, n = con.sql(f"select count(*) filter (where gld), count(*) from {raw} where academic_year = '{year}'").fetchone()
    expected = proportion(x, n)
    assert _published(warehouse, "p1_school_readiness", year) == pytest.approx((x, n, *expected), abs=1e-4)
    # the largest ward, through the (synthetic) LSOA to ward lookup
    ward, x, n = con.sql(
        f"select ward_code, count(*) filter (where gld), count(*) from {raw} "
        f"join read_csv('{LOOKUP}') using (lsoa21_code) where academic_year = '{year}' "
        f"group by 1 order by 3 desc limit 1").fetchone()
    assert _published(warehouse, "p1_school_readiness", year, ward) == pytest.approx(
        (x, n, *proportion(x, n)), abs=1e-4)


def test_alcohol_admissions_dsr_from_the_raw_rows(built, warehouse):
    con = duckdb.connect()
    bands = np.arange(19)
    year = _latest(warehouse, "p6_alcohol_admissions")  # financial year 'YYYY/YY', April to March
    start = int(year[:4])
    counts = dict(con.sql(
        f"select least(floor(age / 5), 18)::int, count(*) from {_raw(built, 'hospital', 'admissions')} "
        f"where cause_group = 'alcohol_specific' and month between '{start}-04' and '{start + 1}-03' "
        "group by 1").fetchall())
    pops = dict(con.sql(
        f"select least(floor(age / 5), 18)::int, sum(population) from {_raw(built, 'ons', 'population')} "
        f"where year = '{start}' group by 1").fetchall())
    expected = dsr([counts.get(b, 0) for b in bands], [pops[b] for b in bands], ESP2013)
    numerator, denominator, *published = _published(warehouse, "p6_alcohol_admissions", year)
    assert numerator == sum(counts.values()) and denominator == sum(pops.values())
    assert published == pytest.approx(tuple(expected), abs=1e-4)


def test_male_life_expectancy_pooled_from_the_raw_rows(built, warehouse):
    con = duckdb.connect()
    window = _latest(warehouse, "h0_life_expectancy_male")  # 'YYYY-YYYY', three calendar years
    first, last = window.split("-")
    band = "case when age = 0 then 0 when age < 5 then 1 else least(floor(age / 5) + 1, 19) end::int"
    deaths = dict(con.sql(
        f"select {band}, count(*) from {_raw(built, 'ons', 'deaths')} "
        f"where sex = 'M' and month between '{first}-01' and '{last}-12' group by 1").fetchall())
    pops = dict(con.sql(
        f"select {band}, sum(population) from {_raw(built, 'ons', 'population')} "
        f"where sex = 'M' and year between '{first}' and '{last}' group by 1").fetchall())
    bands = range(len(START_AGES))
    table = life_expectancy([deaths.get(b, 0) for b in bands], [pops[b] for b in bands])
    published = _published(warehouse, "h0_life_expectancy_male", window)
    assert published == pytest.approx((sum(deaths.values()), sum(pops.values()), table.value[0], table.lower[0],
                                       table.upper[0]), abs=1e-4)
    assert 70 < published[2] < 90
