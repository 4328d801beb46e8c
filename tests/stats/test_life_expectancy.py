import numpy as np
import pytest

from marmot.stats import START_AGES, life_expectancy

from .conftest import num, read_vectors

DP4 = 5e-5  # the package tests compare at 4 decimal places
DF1 = read_vectors("testLifeExpectancy__df1_answer1.csv")
WIDE = read_vectors("testLifeExpectancy__widecis_area2.csv")


def _run(rows, changes=None, pop_scale=1.0):
    deaths = np.array([num(r["deaths"]) for r in rows])
    pops = np.array([num(r["pops"]) for r in rows]) * pop_scale
    for index, (d, p) in (changes or {}).items():
        deaths[index], pops[index] = d, p
    return life_expectancy(deaths, pops)


DF1_TABLE = _run(DF1)
WIDE_TABLE = _run(WIDE)


def test_bands_are_the_package_start_ages():
    assert [int(r["startage"]) for r in DF1] == list(START_AGES)


@pytest.mark.parametrize("i", range(len(DF1)), ids=lambda i: f"age{START_AGES[i]}")
def test_life_expectancy_matches_vectors(i):
    row = DF1[i]
    assert DF1_TABLE.value[i] == pytest.approx(num(row["expected_value"]), abs=DP4)
    assert DF1_TABLE.lower[i] == pytest.approx(num(row["expected_lowercl_95"]), abs=DP4)
    assert DF1_TABLE.upper[i] == pytest.approx(num(row["expected_uppercl_95"]), abs=DP4)
    assert DF1_TABLE.pops_used[i] == num(row["expected_pops_used"])
    assert DF1_TABLE.deaths_used[i] == num(row["expected_dths_used"])


@pytest.mark.parametrize("i", range(len(WIDE)), ids=lambda i: f"age{START_AGES[i]}")
def test_wide_intervals_suppress_value_but_keep_limits(i):
    row = WIDE[i]
    assert WIDE_TABLE.value[i] == pytest.approx(num(row["expected_value"]), abs=DP4, nan_ok=True)
    assert WIDE_TABLE.lower[i] == pytest.approx(num(row["expected_lower95_0cl"]), abs=DP4)
    assert WIDE_TABLE.upper[i] == pytest.approx(num(row["expected_upper95_0cl"]), abs=DP4)
    assert np.isnan(WIDE_TABLE.value[i]) == (1.96 * WIDE_TABLE.se[i] > 10)


@pytest.mark.parametrize("changes", [
    {3: (np.nan, 48489)},          # a missing band
    {3: (8, 0)},                   # zero population
    {3: (-1, 48489)},              # negative deaths
    {19: (11937, 11936)},          # deaths above population (the package's second widecis area)
    {19: (0, 11936)},              # no deaths in the 90+ band
], ids=["missing-band", "zero-pop", "negative-deaths", "deaths-gt-pop", "no-90plus-deaths"])
def test_invalid_inputs_give_nan(changes):
    table = _run(DF1, changes)
    assert np.isnan(table.value).all() and np.isnan(table.lower).all() and np.isnan(table.upper).all()


def test_total_person_years_of_5000_or_less_give_nan():
    assert sum(num(r["pops"]) for r in WIDE) > 5000 and not np.isnan(WIDE_TABLE.lower).any()
    table = _run(WIDE, pop_scale=0.84)  # about 4,990 person-years, every band still has deaths <= pops
    assert np.isnan(table.value).all() and np.isnan(table.lower).all()


def test_wrong_number_of_bands_raises():
    with pytest.raises(ValueError):
        life_expectancy([1] * 19, [1000] * 19)
