import math

import numpy as np
import pytest

from marmot.stats import proportion, wilson_ci

from .conftest import level, num, read_vectors

REL = 1e-9
WILSON = [r for r in read_vectors("testdata_Byars_Wilson__testdata_B_W.csv") if r["method"] == "Wilson"]
PROP = read_vectors("testdata_Proportion__testdata_Prop.csv")
PROP_GROUPED = read_vectors("testdata_Proportion__testdata_Prop_g.csv")


@pytest.mark.parametrize("row", WILSON, ids=lambda r: f"{r['x']}/{r['n']}@{r['confidence']}")
def test_wilson_ci_matches_vectors(row):
    lower, upper = wilson_ci(num(row["x"]), num(row["n"]), level(row["confidence"]))
    assert lower == pytest.approx(num(row["lowercl"]), rel=REL)
    assert upper == pytest.approx(num(row["uppercl"]), rel=REL)


@pytest.mark.parametrize("row", PROP, ids=lambda r: f"{r['Area']}-x{r['multiplier']}")
@pytest.mark.parametrize("confidence, columns", [(0.95, ("lower95_0cl", "upper95_0cl")),
                                                 (0.998, ("lower99_8cl", "upper99_8cl"))])
def test_proportion_matches_vectors(row, confidence, columns):
    result = proportion(num(row["Numerator"]), num(row["Denominator"]), num(row["multiplier"]), confidence)
    expected = (num(row["value"]), num(row[columns[0]]), num(row[columns[1]]))
    assert result == pytest.approx(expected, rel=REL, nan_ok=True)


@pytest.mark.parametrize("row", PROP_GROUPED, ids=lambda r: r["Area"])
def test_grouped_proportion_matches_vectors(row):
    result = proportion(num(row["Numerator"]), num(row["Denominator"]), num(row["multiplier"]),
                        level(row["confidence"]))
    expected = (num(row["value"]), num(row["lowercl"]), num(row["uppercl"]))
    assert result == pytest.approx(expected, rel=REL, nan_ok=True)


def test_proportion_is_vectorised_with_nan_passthrough():
    rows = [r for r in PROP if r["multiplier"] == "1"]  # Area1-8 and the NA areas 09-11
    result = proportion([num(r["Numerator"]) for r in rows], [num(r["Denominator"]) for r in rows], 1)
    for column, got in zip(("value", "lower95_0cl", "upper95_0cl"), result, strict=False):
        assert isinstance(got, np.ndarray)
        assert got == pytest.approx([num(r[column]) for r in rows], rel=REL, nan_ok=True)


def test_confidence_of_one_gives_full_range():
    assert wilson_ci(3, 10, 1) == (0.0, 1.0)
    assert proportion(3, 10, 100, 100) == (30.0, 0.0, 100.0)
    assert all(math.isnan(v) for v in wilson_ci(math.nan, 10, 1))


@pytest.mark.parametrize("x, n", [(-1, 10), (5, 0), (11, 10)])
def test_invalid_counts_raise(x, n):
    with pytest.raises(ValueError):
        proportion(x, n)


@pytest.mark.parametrize("confidence", [0.5, 80, 101])
def test_invalid_confidence_raises(confidence):
    with pytest.raises(ValueError):
        wilson_ci(5, 10, confidence)
