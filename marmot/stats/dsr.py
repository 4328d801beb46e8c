"""Directly standardised rates (Dobson method) with the European Standard Population 2013.

Mirrors DOMAIN.md §2.4 and PHEindicatormethods `calculate_dsr` (including
`independent_events = FALSE`). One call computes one area; age bands are matched to the
standard weights by position, not by label; ``dsr_of_areas`` computes many areas in one pass (the
same Dobson limits), for a build's thousands of areas.
"""

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ._common import Estimate, Floats, as_float_array, unwrap
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
    counts, populations, weights = _checked(counts, populations, standard)
    if not np.all(populations > 0):
        raise ValueError("populations must all be > 0")
    total = counts.sum()
    value = np.sum(weights * counts / populations) / weights.sum()
    if persons_by_events is None:
        frequencies = {1: counts}
    else:
        frequencies = {f: np.nan_to_num(as_float_array(p)) for f, p in persons_by_events.items()}
        if any(p.shape != counts.shape or np.any(p < 0) for p in frequencies.values()):
            raise ValueError("persons_by_events needs persons >= 0 for every age band")
    variance = sum(f**2 * np.sum(weights**2 * persons / populations**2)
                   for f, persons in frequencies.items()) / weights.sum() ** 2
    return _dobson(value, variance, total, multiplier, confidence)


def dsr_of_areas(counts: ArrayLike, populations: ArrayLike, standard: ArrayLike, starts: ArrayLike,
                 multiplier: ArrayLike = 100_000, confidence: float = 0.95) -> Estimate:
    """Dobson DSRs (independent events) of many areas at once, as arrays with one value per area.

    The areas' age bands are concatenated: area i's are the rows from ``starts[i]`` to the next start
    (``starts`` increasing, from 0); ``standard`` is each row's weight and ``multiplier`` one per area or
    one for all. An area with a population that is not > 0, or a total count below 10, gets NaN
    (``dsr`` raises for the first); counts of NaN count as 0.
    """
    counts, populations, weights = _checked(counts, populations, standard)
    starts = np.asarray(starts, dtype=np.intp)
    if counts.ndim != 1:
        raise ValueError("counts, populations and standard weights need one value per row")
    if not len(starts):
        return Estimate(*(np.empty(0) for _ in range(3)))
    valid = np.logical_and.reduceat(populations > 0, starts)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(populations > 0, counts / populations, np.nan)
        weight = np.add.reduceat(weights, starts)
        value = np.add.reduceat(weights * rates, starts) / weight
        variance = np.add.reduceat(weights**2 * rates / populations, starts) / weight**2
        total = np.add.reduceat(counts, starts)
    estimate = _dobson(value, variance, total, np.asarray(multiplier, dtype=float), confidence)
    return Estimate(*(np.where(valid, v, np.nan) for v in estimate))


def _checked(counts: ArrayLike, populations: ArrayLike, standard: ArrayLike) -> tuple[np.ndarray, ...]:
    """Counts (NaN as 0), populations and weights as float arrays of one shape, counts and weights >= 0."""
    counts = np.nan_to_num(as_float_array(counts))
    populations, weights = as_float_array(populations), as_float_array(standard)
    if not counts.shape == populations.shape == weights.shape:
        raise ValueError("counts, populations and standard weights need one value per age band")
    if np.any(counts < 0) or np.any(weights < 0) or np.isnan(weights).any():
        raise ValueError("counts and standard weights must be >= 0")
    return counts, populations, weights


def _dobson(value: Floats, variance: Floats, total: Floats, multiplier: Floats, confidence: float) -> Estimate:
    """Dobson's limits of a DSR from its value and variance and Byar's limits of the total count; NaN (one area
    or each) where the total is below MINIMUM_COUNT."""
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / total)
        lower = value + spread * (byars_lower(total, confidence) - total)
        upper = value + spread * (byars_upper(total, confidence) - total)
    small = np.asarray(total) < MINIMUM_COUNT
    return Estimate(*(unwrap(np.where(small, np.nan, v * multiplier)) for v in (value, lower, upper)))
