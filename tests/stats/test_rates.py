import math

import numpy as np
import pytest

from marmot.stats import byars_lower, byars_upper, exact_lower, exact_upper, rate

from .conftest import level, num, read_vectors

REL = 1e-9
BYARS = [r for r in read_vectors("testdata_Byars_Wilson__testdata_B_W.csv") if r["method"] == "Byars"]
RATE = read_vectors("testdata_Rate__testdata_Rate.csv")
RATE_GROUPED = read_vectors("testdata_Rate__testdata_Rate_g.csv")


@pytest.mark.parametrize("row", BYARS, ids=lambda r: f"{r['x']}@{r['confidence']}")
def test_byars_limits_match_vectors(row):
    x, confidence = num(row["x"]), level(row["confidence"])
    assert byars_lower(x, confidence) == pytest.approx(num(row["lowercl"]), rel=REL, nan_ok=True)
    assert byars_upper(x, confidence) == pytest.approx(num(row["uppercl"]), rel=REL)


@pytest.mark.parametrize("row", RATE, ids=lambda r: f"{r['Area']}-per{r['multiplier']}")
@pytest.mark.parametrize("confidence, columns", [(0.95, ("lower95_0cl", "upper95_0cl")),
                                                 (0.998, ("lower99_8cl", "upper99_8cl"))])
def test_rate_matches_vectors(row, confidence, columns):
    result = rate(num(row["Numerator"]), num(row["Denominator"]), num(row["multiplier"]), confidence)
    expected = (num(row["value"]), num(row[columns[0]]), num(row[columns[1]]))
    assert result == pytest.approx(expected, rel=REL, nan_ok=True)


@pytest.mark.parametrize("row", RATE_GROUPED, ids=lambda r: r["Area"])
def test_grouped_rate_matches_vectors(row):
    result = rate(num(row["Numerator"]), num(row["Denominator"]), num(row["multiplier"]),
                  level(row["confidence"]))
    expected = (num(row["value"]), num(row["lowercl"]), num(row["uppercl"]))
    assert result == pytest.approx(expected, rel=REL, nan_ok=True)


def test_rate_is_vectorised_and_switches_method_at_ten():
    result = rate(np.array([9.0, 10.0, np.nan]), np.array([1000.0, 1000.0, 1000.0]), 1000)
    assert result.lower == pytest.approx([exact_lower(9), byars_lower(10), np.nan], rel=REL, nan_ok=True)
    assert result.upper == pytest.approx([exact_upper(9), byars_upper(10), np.nan], rel=REL, nan_ok=True)


def test_zero_events_have_zero_lower_limit():
    # exact upper limit for x = 0 solves exp(-mu) = 0.025
    assert rate(0, 100, 100) == pytest.approx((0.0, 0.0, -math.log(0.025)), rel=REL)


@pytest.mark.parametrize("x, n", [(-1, 10), (5, 0), (5, -3)])
def test_invalid_inputs_raise(x, n):
    with pytest.raises(ValueError):
        rate(x, n)
