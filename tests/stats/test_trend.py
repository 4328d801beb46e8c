"""Recent-trend tests with the Fingertips vectors quoted in DOMAIN.md §2.11
(fingertips-open TrendMarkerCalculatorTest)."""

import numpy as np
import pytest

from marmot.stats import trend_proportion, trend_weighted

SET1 = dict(  # 2014 -> 2018
    counts=[994, 1023, 1199, 1332, 1367],
    denominators=[40299, 41527, 42811, 44064, 44701],
    values=[24.67, 24.6, 28, 30.2, 30.6],
    lower=[23.16, 23.15, 26.44, 28.63, 28.98],
    upper=[26.25, 26.19, 29.64, 31.9, 32.25],
)
SET2 = dict(
    counts=[209, 213, 213, 239, 210],
    denominators=[1017, 1087, 1119, 1117, 1139],
    values=[20.5506, 19.5952, 19.0349, 21.3966, 18.4372],
    lower=[18.1803, 17.3444, 16.8421, 19.0918, 16.2925],
    upper=[23.1427, 22.0602, 21.4394, 23.8975, 20.7941],
)


@pytest.mark.parametrize("polarity, label", [
    ("BOB", "Increasing"), (-1, "Increasing"),
    ("RAG - Low is good", "Increasing and getting worse"),
    ("RAG - High is good", "Increasing and getting better"),
])
def test_set1_weighted_branch_is_significant_increase(polarity, label):
    result = trend_weighted(SET1["values"], SET1["lower"], SET1["upper"], polarity)
    assert round(result.chi_square, 2) == 46.77
    assert result.significant and result.slope > 0 and result.label == label


def test_set1_proportion_branch_is_significant_increase():
    result = trend_proportion(SET1["counts"], SET1["denominators"], "RAG - High is good")
    assert round(result.chi_square, 2) == 47.90
    assert result.significant and result.slope > 0
    assert result.label == "Increasing and getting better"


def test_set2_is_not_significant():
    weighted = trend_weighted(SET2["values"], SET2["lower"], SET2["upper"], 1)
    assert round(weighted.chi_square, 2) == 0.46
    assert not weighted.significant and weighted.label == "No significant change"
    proportion = trend_proportion(SET2["counts"], SET2["denominators"], 1)
    assert not proportion.significant and proportion.label == "No significant change"


def test_proportion_equal_to_denominator_cannot_be_calculated():
    result = trend_proportion([5, 3, 1, 1, 2], [5, 5, 5, 4, 4], 1)
    assert (result.label, result.chi_square, result.significant) == ("Cannot be calculated", 0.0, False)


def test_decreasing_trend_labels_follow_polarity():
    reversed_values = [-v for v in SET1["values"]]
    reversed_limits = dict(lower95=[-u for u in SET1["upper"]], upper95=[-lo for lo in SET1["lower"]])
    assert trend_weighted(reversed_values, **reversed_limits, polarity=0).label == "Decreasing and getting better"
    assert trend_weighted(reversed_values, **reversed_limits, polarity=1).label == "Decreasing and getting worse"
    assert trend_weighted(reversed_values, **reversed_limits, polarity=99).label == "Decreasing"


def test_only_the_latest_five_complete_points_are_used():
    earlier = dict(values=[99.0, 1.0], lower=[98.0, np.nan], upper=[100.0, 2.0])
    result = trend_weighted(*(earlier[k] + SET1[k] for k in ("values", "lower", "upper")), polarity=99)
    assert round(result.chi_square, 2) == 46.77


@pytest.mark.parametrize("values, lower, upper", [
    (SET1["values"][1:], SET1["lower"][1:], SET1["upper"][1:]),                 # 4 points
    (SET1["values"], SET1["lower"][:4] + [np.nan], SET1["upper"]),              # a missing CI
    (SET1["values"], SET1["lower"], SET1["lower"]),                             # zero-width CIs
])
def test_weighted_criteria_not_met_cannot_be_calculated(values, lower, upper):
    assert trend_weighted(values, lower, upper, 1).label == "Cannot be calculated"
