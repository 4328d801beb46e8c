"""Benchmarking tests. There are no PHEindicatormethods vectors for these methods; the cases
marked "Fingertips" are the values and expected significances from the fingertips-open unit
tests (SpcForProportionsComparerTest, SpcForDsrComparerTest,
SingleOverlappingCIsForTwoCILevelsComparerTest, DoubleOverlappingCIsComparerTest)."""

import math

import numpy as np
import pytest

from marmot.stats import (
    compare_ci,
    compare_ci_overlap,
    compare_ci_two_levels,
    compare_spc_dsr,
    compare_spc_proportion,
    poisson_control_limits,
    quantile_categories,
)
from marmot.stats.rates import exact_lower, exact_upper

LOW, HIGH, BOB, NA = "RAG - Low is good", "RAG - High is good", "BOB", "Not applicable"


@pytest.mark.parametrize("comparator, polarity, expected", [
    (10.0, HIGH, "Similar"), (9.0, HIGH, "Similar"), (11.0, HIGH, "Similar"),
    (12.0, HIGH, "Worse"), (12.0, LOW, "Better"), (12.0, BOB, "Lower"),
    (8.0, HIGH, "Better"), (8.0, 0, "Worse"), (8.0, 99, "Higher"),
    (8.0, NA, "Not compared"), (math.nan, HIGH, "Not compared"),
])
def test_method_1_single_overlapping_ci(comparator, polarity, expected):
    assert compare_ci(10.0, 9.0, 11.0, comparator, polarity) == expected


@pytest.mark.parametrize("comparator, low_is_good, high_is_good", [  # Fingertips
    (3.0, "Better 99.8%", "Worse 99.8%"),
    (2.8, "Better 95%", "Worse 95%"),
    (2.6, "Similar", "Similar"),
    (2.4, "Worse 95%", "Better 95%"),
    (2.2, "Worse 99.8%", "Better 99.8%"),
])
def test_method_17_two_levels(comparator, low_is_good, high_is_good):
    data = dict(value=2.6, lower95=2.5, upper95=2.7, lower998=2.3, upper998=2.9, comparator=comparator)
    assert compare_ci_two_levels(**data, polarity=LOW) == low_is_good
    assert compare_ci_two_levels(**data, polarity=HIGH) == high_is_good


@pytest.mark.parametrize("area, comparator, expected", [  # Fingertips (polarity id 0)
    ((4.0, 3.5, 4.5), (3.0, 2.7, 3.6), "Similar"),
    ((3.0, 2.7, 3.6), (4.0, 3.5, 4.5), "Similar"),
    ((3.0, 2.7, 4.1), (4.0, 3.5, 4.5), "Similar"),
    ((4.0, 3.5, 4.5), (3.0, 2.7, 4.1), "Similar"),
    ((4.0, 3.5, 4.5), (3.0, 2.7, 3.1), "Worse"),
    ((3.0, 2.7, 3.1), (4.0, 3.5, 4.5), "Better"),
    ((3.0, math.nan, math.nan), (4.0, 3.5, 4.5), "Not compared"),
])
def test_method_12_double_overlapping_ci(area, comparator, expected):
    assert compare_ci_overlap(*area, *comparator, polarity=0) == expected


@pytest.mark.parametrize("comparator, value, denominator, at95, at998", [  # Fingertips, low is good, %
    (8.9611086876279327, 7.7065767284991562, 5930, "Better", "Better"),
    (8.9611086876279327, 9.8988121425428961, 2273, "Similar", "Similar"),
    (8.9611086876279327, 12.474645030425965, 1972, "Worse", "Worse"),
    (12.8379546895717, 10.9783420463032, 1339, "Better", "Similar"),
    (12.8379546895717, 15.9065628476085, 899, "Worse", "Similar"),
    (10.0, 10.0, 0, "Not compared", "Not compared"),
])
def test_method_5_spc_for_proportions(comparator, value, denominator, at95, at998):
    assert compare_spc_proportion(value, denominator, comparator, LOW, 100, 0.95) == at95
    assert compare_spc_proportion(value, denominator, comparator, LOW, 100, 0.998) == at998


@pytest.mark.parametrize("value, population, at95, at998", [  # Fingertips MRSA per 100,000, low is good
    (1.1358436559886544, 616282, "Better", "Similar"),
    (2.657913272289925, 601976, "Similar", "Similar"),
    (4.1515156695295845, 409489, "Worse", "Similar"),
])
def test_method_6_spc_for_dsrs(value, population, at95, at998):
    comparator = 2.132708657734625
    assert compare_spc_dsr(value, population, comparator, LOW, 100_000, 0.95) == at95
    assert compare_spc_dsr(value, population, comparator, LOW, 100_000, 0.998) == at998


def test_poisson_control_limits_are_exact_limits_for_integer_counts():
    assert poisson_control_limits(13) == pytest.approx((exact_lower(13), exact_upper(13)), rel=1e-12)
    # a non-integer expected count E uses counts >= ceil(E) for the lower and <= floor(E) for the upper limit
    assert poisson_control_limits(12.4, 0.998) == pytest.approx(
        (exact_lower(13, 0.998), exact_upper(12, 0.998)), rel=1e-12)
    assert poisson_control_limits(0.0)[0] == 0.0


def test_quintiles_follow_percentile_inc_bounds_and_polarity():
    values = [3.0, 1.0, 2.0, 5.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0, np.nan]
    # PERCENTILE.INC bounds of 1..10: quintiles 2.8, 4.6, 6.4, 8.2, 10; quartiles 3.25, 5.5, 7.75, 10
    lowest_first = [2, 1, 1, 3, 2, 3, 4, 4, 5, 5, np.nan]
    np.testing.assert_array_equal(quantile_categories(values, LOW), lowest_first)
    np.testing.assert_array_equal(quantile_categories(values, BOB), lowest_first)
    np.testing.assert_array_equal(quantile_categories(values, HIGH), 6 - np.array(lowest_first))
    np.testing.assert_array_equal(quantile_categories(values, HIGH, bins=4), [4, 4, 4, 3, 3, 2, 2, 1, 1, 1, np.nan])


def test_quintiles_need_five_values():
    assert np.isnan(quantile_categories([1.0, 2.0, 3.0, 4.0, np.nan], HIGH)).all()


def test_unknown_polarity_raises():
    with pytest.raises(ValueError):
        compare_ci(10.0, 9.0, 11.0, 12.0, "Low is good")
