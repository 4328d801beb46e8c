"""Directly standardised rates (Dobson method) with the European Standard Population 2013.

Mirrors DOMAIN.md §2.4 and PHEindicatormethods `calculate_dsr` (including
`independent_events = FALSE`). One call computes one area; age bands are matched to the
standard weights by position, not by label.
"""

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ._common import Estimate, as_float_array
from .rates import byars_lower, byars_upper

# ESP2013 weights for 0-4, 5-9, ..., 85-89, 90+ (19 bands, total 100,000).
ESP2013 = (5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
           7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000)

MINIMUM_COUNT = 10


def dsr(counts: ArrayLike, populations: ArrayLike, standard: ArrayLike = ESP2013, multiplier: float = 100_000,
        confidence: float = 0.95, persons_by_events: Mapping[int, ArrayLike] | None = None) -> Estimate:
    """Dobson DSR for one area; value and limits are NaN when the total count is below 10.

    counts: events per age band (NaN/None counted as 0); populations: per band, all > 0;
    standard: weights per band in the same order. For non-independent events pass
    persons_by_events = {f: persons per band with exactly f events}; the variance is then
    Σ_f f²·var_f. Byar's limits for the total count are always used.
    """
    counts = np.nan_to_num(as_float_array(counts))
    populations, weights = as_float_array(populations), as_float_array(standard)
    if not counts.shape == populations.shape == weights.shape:
        raise ValueError("counts, populations and standard weights need one value per age band")
    if np.any(counts < 0) or np.any(weights < 0) or np.isnan(weights).any():
        raise ValueError("counts and standard weights must be >= 0")
    if not np.all(populations > 0):
        raise ValueError("populations must all be > 0")
    total = counts.sum()
    if total < MINIMUM_COUNT:
        return Estimate(np.nan, np.nan, np.nan)
    value = np.sum(weights * counts / populations) / weights.sum()
    if persons_by_events is None:
        frequencies = {1: counts}
    else:
        frequencies = {f: np.nan_to_num(as_float_array(p)) for f, p in persons_by_events.items()}
        if any(p.shape != counts.shape or np.any(p < 0) for p in frequencies.values()):
            raise ValueError("persons_by_events needs persons >= 0 for every age band")
    variance = sum(f**2 * np.sum(weights**2 * persons / populations**2)
                   for f, persons in frequencies.items()) / weights.sum() ** 2
    spread = np.sqrt(variance / total)
    lower = value + spread * (byars_lower(total, confidence) - total)
    upper = value + spread * (byars_upper(total, confidence) - total)
    return Estimate(value * multiplier, lower * multiplier, upper * multiplier)
