"""Fingertips benchmarking: compare an area's value with a comparator (e.g. England).

Mirrors DOMAIN.md §2.10 (Fingertips comparator methods 1, 17, 12, 5, 6, 15 and 16 and
`AdjustForPolarity`). Comparisons return labels: "Better"/"Similar"/"Worse" for RAG
polarities, "Higher"/"Similar"/"Lower" for BOB, and "Not compared" when the polarity is not
applicable or an input is missing. Values, limits and comparators share one scale.
"""

import math

import numpy as np
from numpy.typing import ArrayLike

from ._common import BOB, HIGH_IS_GOOD, LOW_IS_GOOD, FloatArray, Polarity, as_float_array, confidence_level, polarity_id
from .proportions import wilson_ci

NOT_COMPARED = "Not compared"
SIMILAR = "Similar"
_LABELS = {  # polarity -> (label when the area is lower, label when it is higher)
    HIGH_IS_GOOD: ("Worse", "Better"),
    LOW_IS_GOOD: ("Better", "Worse"),
    BOB: ("Lower", "Higher"),
}


def _label(direction: int, polarity: Polarity, level: str = "") -> str:
    """Label for direction -1 (area lower), 0 (similar) or +1 (area higher), after polarity."""
    labels = _LABELS.get(polarity_id(polarity))
    if labels is None:
        return NOT_COMPARED
    if direction == 0:
        return SIMILAR
    return labels[direction > 0] + level


def _present(*values: float | None) -> tuple[float, ...] | None:
    """The values, or None when one of them is missing (None or NaN)."""
    present = tuple(v for v in values if v is not None and not math.isnan(v))
    return present if len(present) == len(values) else None


def compare_ci(value: float | None, lower: float | None, upper: float | None, comparator: float | None,
               polarity: Polarity) -> str:
    """Method 1: similar if the comparator value lies inside the area's CI (95% by default)."""
    present = _present(value, lower, upper, comparator)
    if present is None:
        return NOT_COMPARED
    value, lower, upper, comparator = present
    if lower <= comparator <= upper:
        return _label(0, polarity)
    return _label(-1 if value < comparator else 1, polarity)


def compare_ci_two_levels(value: float | None, lower95: float | None, upper95: float | None,
                          lower998: float | None, upper998: float | None, comparator: float | None,
                          polarity: Polarity) -> str:
    """Method 17: as method 1 at 95% and 99.8%; labels carry the level, e.g. "Better 99.8%"."""
    present = _present(value, lower95, upper95, lower998, upper998, comparator)
    if present is None:
        return NOT_COMPARED
    value, lower95, upper95, lower998, upper998, comparator = present
    if lower95 <= comparator <= upper95:
        return _label(0, polarity)
    if comparator < lower95:
        return _label(1, polarity, " 95%" if comparator >= lower998 else " 99.8%")
    return _label(-1, polarity, " 95%" if comparator <= upper998 else " 99.8%")


def compare_ci_overlap(value: float | None, lower: float | None, upper: float | None, comparator: float | None,
                       comparator_lower: float | None, comparator_upper: float | None, polarity: Polarity) -> str:
    """Method 12: similar if the area's CI and the comparator's CI overlap."""
    present = _present(value, lower, upper, comparator, comparator_lower, comparator_upper)
    if present is None:
        return NOT_COMPARED
    value, lower, upper, comparator, comparator_lower, comparator_upper = present
    if lower <= comparator_upper and comparator_lower <= upper:
        return _label(0, polarity)
    return _label(-1 if value < comparator else 1, polarity)


def _control_chart(value: float, low_limit: float, high_limit: float, polarity: Polarity) -> str:
    if value > high_limit:
        return _label(1, polarity)
    if value < low_limit:
        return _label(-1, polarity)
    return _label(0, polarity)


def compare_spc_proportion(value: float | None, denominator: float | None, comparator: float | None,
                           polarity: Polarity, multiplier: float = 100, confidence: float = 0.95) -> str:
    """Method 5: area proportion against control limits around the comparator proportion.

    The limits are the Wilson limits of E1 = N1·P0 events out of N1. value and comparator are
    on the multiplier scale (100 = percentages).
    """
    present = _present(value, denominator, comparator)
    if present is None or present[1] <= 0:
        return NOT_COMPARED
    value, denominator, comparator = present
    lower, upper = wilson_ci(denominator * comparator / multiplier, denominator, confidence)
    return _control_chart(value / multiplier, float(lower), float(upper), polarity)


def poisson_control_limits(expected: float, confidence: float = 0.95) -> tuple[float, float]:
    """Fingertips PoisLow/PoisHigh: exact Poisson limits for a (non-integer) expected count.

    Closed form of the bisection in Fingertips `StatisticalMethods.cs`: the lower limit solves
    P(X >= E) = α/2 and the upper limit P(X <= E) = α/2 for X ~ Poisson(μ).
    """
    from scipy.stats import chi2

    tail = (1 - confidence_level(confidence)) / 2
    events_at_least = math.ceil(expected)
    lower = chi2.ppf(tail, 2 * events_at_least) / 2 if events_at_least > 0 else 0.0
    upper = chi2.ppf(1 - tail, 2 * (math.floor(expected) + 1)) / 2
    return float(lower), float(upper)


def compare_spc_dsr(value: float | None, population: float | None, comparator: float | None, polarity: Polarity,
                    multiplier: float = 100_000, confidence: float = 0.95) -> str:
    """Method 6: area DSR against exact Poisson control limits around comparator·population."""
    present = _present(value, population, comparator)
    if present is None or present[1] <= 0:
        return NOT_COMPARED
    value, population, comparator = present
    lower, upper = poisson_control_limits(comparator * population / multiplier, confidence)
    scale = multiplier / population
    return _control_chart(value, lower * scale, upper * scale, polarity)


def quantile_categories(values: ArrayLike, polarity: Polarity, bins: int = 5) -> FloatArray:
    """Methods 15/16: category 1..bins of each value among all areas (quintiles or quartiles).

    Bounds are Excel PERCENTILE.INC points of the non-missing values. Category 1 holds the
    lowest values, except for "RAG - High is good" where 1 holds the highest, so with a RAG
    polarity 1 = best. All NaN when fewer than `bins` values are present.
    """
    values = as_float_array(values)
    present = ~np.isnan(values)
    categories = np.full(values.shape, np.nan)
    if present.sum() < bins:
        return categories
    bounds = np.percentile(values[present], np.linspace(0, 100, bins + 1)[1:])
    lowest_first = np.searchsorted(bounds, values[present], side="left") + 1
    high_first = polarity_id(polarity) == HIGH_IS_GOOD
    categories[present] = bins + 1 - lowest_first if high_first else lowest_first
    return categories
