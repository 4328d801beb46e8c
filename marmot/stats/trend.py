"""Fingertips recent-trend test over the most recent 5 points.

Mirrors DOMAIN.md §2.11 (Fingertips `TrendMarkerCalculator`, `TrendMarkerLabelProvider`). The
caller supplies annual, non-overlapping, unbroken periods ordered oldest to newest; points with
missing inputs are skipped. The direction of a significant proportion trend comes from the
all-points logit OLS slope (the 2020 Fingertips snapshot never set it).
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._common import HIGH_IS_GOOD, LOW_IS_GOOD, FloatArray, Polarity, as_float_array, polarity_id

POINTS = 5
CHI_SQUARE_998 = 9.54953570608324  # χ²₁ at p = 0.002
CANNOT_BE_CALCULATED = "Cannot be calculated"
NO_SIGNIFICANT_CHANGE = "No significant change"
_LABELS = {
    LOW_IS_GOOD: ("Increasing and getting worse", "Decreasing and getting better"),
    HIGH_IS_GOOD: ("Increasing and getting better", "Decreasing and getting worse"),
}


class TrendResult(NamedTuple):
    """Trend label, χ² statistic, slope of the all-points fit and whether it is significant."""

    label: str
    chi_square: float
    slope: float
    significant: bool


_NOT_CALCULATED = TrendResult(CANNOT_BE_CALCULATED, 0.0, float("nan"), False)


def _recent(*columns: ArrayLike) -> FloatArray | None:
    """The last POINTS rows where every column is present, or None when there are too few."""
    data = np.vstack([as_float_array(c) for c in columns])
    data = data[:, ~np.isnan(data).any(axis=0)]
    return data[:, -POINTS:] if data.shape[1] >= POINTS else None


def _result(chi_square: float, slope_of: Callable[[NDArray[np.bool_]], float], polarity: Polarity) -> TrendResult:
    """Significant if χ² > 9.5495 and the slope has one sign in all 6 fits (all, each left out)."""
    slopes = [slope_of(np.arange(POINTS) != i) for i in range(-1, POINTS)]  # i = -1 keeps all
    robust = len({slope < 0 for slope in slopes}) == 1
    significant = bool(robust and chi_square > CHI_SQUARE_998)
    label = NO_SIGNIFICANT_CHANGE
    if significant:
        increasing, decreasing = _LABELS.get(polarity_id(polarity), ("Increasing", "Decreasing"))
        label = increasing if slopes[0] > 0 else decreasing
    return TrendResult(label, float(chi_square), float(slopes[0]), significant)


def trend_proportion(counts: ArrayLike, denominators: ArrayLike, polarity: Polarity) -> TrendResult:
    """Trend for proportions (comparator method SPC for proportions): χ² for linear trend.

    Cannot be calculated with fewer than 5 complete points or when a count is 0 or equals its
    denominator (the logit is undefined).
    """
    points = _recent(counts, denominators)
    if points is None or np.any(points[0] <= 0) or np.any(points[0] >= points[1]):
        return _NOT_CALCULATED
    r, n = points
    t = np.arange(1, POINTS + 1)
    big_r, big_n = r.sum(), n.sum()
    chi_square = (big_n * (big_n * np.sum(r * t) - big_r * np.sum(n * t)) ** 2
                  / (big_r * (big_n - big_r) * (big_n * np.sum(n * t**2) - np.sum(n * t) ** 2)))
    log_odds = np.log(r / (n - r))
    return _result(chi_square, lambda keep: np.polyfit(t[keep], log_odds[keep], 1)[0], polarity)


def trend_weighted(values: ArrayLike, lower95: ArrayLike, upper95: ArrayLike, polarity: Polarity) -> TrendResult:
    """Trend for other value types: inverse-variance weighted slope with SE from the 95% CI.

    Cannot be calculated with fewer than 5 complete points or a CI of zero width.
    """
    points = _recent(values, lower95, upper95)
    if points is None or np.any(points[2] <= points[1]):
        return _NOT_CALCULATED
    y, lower, upper = points
    t = np.arange(1, POINTS + 1)
    w = 1 / ((upper - lower) / 3.92) ** 2

    def slope_of(keep: NDArray[np.bool_]) -> float:
        s1, s2, s3, s4, s5 = (np.sum(x[keep]) for x in (w, w * t * y, w * t, w * y, w * t**2))
        return float((s1 * s2 - s3 * s4) / (s1 * s5 - s3**2))

    s1, s3, s5 = np.sum(w), np.sum(w * t), np.sum(w * t**2)
    chi_square = (slope_of(np.ones(POINTS, bool)) / np.sqrt(s1 / (s1 * s5 - s3**2))) ** 2
    return _result(chi_square, slope_of, polarity)
