"""Fingertips benchmarking: compare an area's value with a comparator (e.g. England).

Mirrors DOMAIN.md §2.10 (Fingertips comparator methods 1, 17, 12, 5, 6, 15 and 16 and
`AdjustForPolarity`). Comparisons return labels: "Better"/"Similar"/"Worse" for RAG
polarities, "Higher"/"Similar"/"Lower" for BOB, and "Not compared" when the polarity is not
applicable or an input is missing. Values, limits and comparators share one scale.
"""

import math

import numpy as np
from scipy.stats import chi2

from ._common import BOB, HIGH_IS_GOOD, LOW_IS_GOOD, as_float_array, confidence_level, polarity_id
from .proportions import wilson_ci

NOT_COMPARED = "Not compared"
SIMILAR = "Similar"
_LABELS = {  # polarity -> (label when the area is lower, label when it is higher)
    HIGH_IS_GOOD: ("Worse", "Better"),
    LOW_IS_GOOD: ("Better", "Worse"),
    BOB: ("Lower", "Higher"),
}


def _label(direction, polarity, level=""):
    """Label for direction -1 (area lower), 0 (similar) or +1 (area higher), after polarity."""
    labels = _LABELS.get(polarity_id(polarity))
    if labels is None:
        return NOT_COMPARED
    if direction == 0:
        return SIMILAR
    return labels[direction > 0] + level


def _missing(*values):
    return any(v is None or math.isnan(v) for v in values)


def compare_ci(value, lower, upper, comparator, polarity):
    """Method 1: similar if the comparator value lies inside the area's CI (95% by default)."""
    if _missing(value, lower, upper, comparator):
        return NOT_COMPARED
    if lower <= comparator <= upper:
        return _label(0, polarity)
    return _label(-1 if value < comparator else 1, polarity)


def compare_ci_two_levels(value, lower95, upper95, lower998, upper998, comparator, polarity):
    """Method 17: as method 1 at 95% and 99.8%; labels carry the level, e.g. "Better 99.8%"."""
    if _missing(value, lower95, upper95, lower998, upper998, comparator):
        return NOT_COMPARED
    if lower95 <= comparator <= upper95:
        return _label(0, polarity)
    if comparator < lower95:
        return _label(1, polarity, " 95%" if comparator >= lower998 else " 99.8%")
    return _label(-1, polarity, " 95%" if comparator <= upper998 else " 99.8%")


def compare_ci_overlap(value, lower, upper, comparator, comparator_lower, comparator_upper,
                       polarity):
    """Method 12: similar if the area's CI and the comparator's CI overlap."""
    if _missing(value, lower, upper, comparator, comparator_lower, comparator_upper):
        return NOT_COMPARED
    if lower <= comparator_upper and comparator_lower <= upper:
        return _label(0, polarity)
    return _label(-1 if value < comparator else 1, polarity)


def _control_chart(value, low_limit, high_limit, polarity):
    if value > high_limit:
        return _label(1, polarity)
    if value < low_limit:
        return _label(-1, polarity)
    return _label(0, polarity)


def compare_spc_proportion(value, denominator, comparator, polarity, multiplier=100,
                           confidence=0.95):
    """Method 5: area proportion against control limits around the comparator proportion.

    The limits are the Wilson limits of E1 = N1·P0 events out of N1. value and comparator are
    on the multiplier scale (100 = percentages).
    """
    if _missing(value, denominator, comparator) or denominator <= 0:
        return NOT_COMPARED
    lower, upper = wilson_ci(denominator * comparator / multiplier, denominator, confidence)
    return _control_chart(value / multiplier, lower, upper, polarity)


def poisson_control_limits(expected, confidence=0.95):
    """Fingertips PoisLow/PoisHigh: exact Poisson limits for a (non-integer) expected count.

    Closed form of the bisection in Fingertips `StatisticalMethods.cs`: the lower limit solves
    P(X >= E) = α/2 and the upper limit P(X <= E) = α/2 for X ~ Poisson(μ).
    """
    tail = (1 - confidence_level(confidence)) / 2
    events_at_least = math.ceil(expected)
    lower = chi2.ppf(tail, 2 * events_at_least) / 2 if events_at_least > 0 else 0.0
    upper = chi2.ppf(1 - tail, 2 * (math.floor(expected) + 1)) / 2
    return float(lower), float(upper)


def compare_spc_dsr(value, population, comparator, polarity, multiplier=100_000, confidence=0.95):
    """Method 6: area DSR against exact Poisson control limits around comparator·population."""
    if _missing(value, population, comparator) or population <= 0:
        return NOT_COMPARED
    lower, upper = poisson_control_limits(comparator * population / multiplier, confidence)
    scale = multiplier / population
    return _control_chart(value, lower * scale, upper * scale, polarity)


def quantile_categories(values, polarity, bins=5):
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
