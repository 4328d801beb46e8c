"""Inequality measures: SII/RII, deprivation quantiles and the most-least deprived gap.

Mirrors DOMAIN.md §2.8 (PHEindicatormethods `phe_sii`, `FindXValues`, `SimulationFunc`) and
§2.9 (`phe_quantile`). Quantile 1 is the most deprived throughout.
"""

import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, NamedTuple, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from ._common import (
    HIGH_IS_GOOD,
    LOW_IS_GOOD,
    Estimate,
    FloatArray,
    Floats,
    Polarity,
    as_float_array,
    confidence_level,
    polarity_id,
    z_value,
)

ValueType: TypeAlias = Literal[0, 1, 2]  # 0 other, 1 rate, 2 proportion
_Transform: TypeAlias = Callable[[Floats], Floats]
# value_type -> (transform, inverse): 0 other (identity), 1 rate (log), 2 proportion (logit)


def _logit(p: Floats) -> Floats:
    from scipy.special import logit

    return np.asarray(logit(p), dtype=float)


def _expit(x: Floats) -> Floats:
    from scipy.special import expit

    return np.asarray(expit(x), dtype=float)


_TRANSFORMS: dict[ValueType, tuple[_Transform, _Transform]] = {
    0: (np.asarray, np.asarray), 1: (np.log, np.exp), 2: (_logit, _expit)}


class SIIResult(NamedTuple):
    """SII, RII and intercept with Monte Carlo (lower, upper) limits, one pair per confidence."""

    sii: float
    rii: float
    intercept: float
    confidence: tuple[float, ...]
    sii_limits: tuple[tuple[float, float], ...]
    rii_limits: tuple[tuple[float, float], ...]


def _checked(name: str, values: ArrayLike, size: int, value_type: ValueType) -> FloatArray:
    values = as_float_array(values)
    if values.shape != (size,) or np.isnan(values).any():
        raise ValueError(f"{name} needs one non-missing value per quantile")
    if value_type == 2 and (np.any(values < 0) or np.any(values > 1)):
        raise ValueError(f"{name} proportions must all be between 0 and 1")
    return values


def sii(populations: ArrayLike, values: ArrayLike, *, value_type: ValueType = 0, transform: bool = False,
        lower: ArrayLike | None = None, upper: ArrayLike | None = None, se: ArrayLike | None = None,
        multiplier: float = 1, confidence: float | Sequence[float] = 0.95, repetitions: int = 100_000,
        rng: np.random.Generator | int | None = None) -> SIIResult:
    """Slope and relative index of inequality for one area, quantiles ordered most deprived first.

    value_type: 0 other, 1 rate, 2 proportion (for proportions from counts pass counts/populations).
    Give either se (on the transformed scale for rates/proportions) or the 95% lower/upper
    limits. transform=True fits on the log/logit scale (value_type 1 or 2, limits required).
    A negative multiplier inverts the RII. confidence may be one level or a sequence; rng is a
    numpy Generator or seed. Invalid or missing inputs raise ValueError.
    """
    populations = as_float_array(populations)
    quantiles = populations.size
    if populations.shape != (quantiles,) or not 5 <= quantiles <= 100:
        raise ValueError("number of quantiles must be between 5 and 100")
    if quantiles > 10:
        warnings.warn("small values can make the SII unstable with more than 10 quantiles", stacklevel=2)
    if value_type not in _TRANSFORMS:
        raise ValueError("value_type should be 0, 1 or 2")
    if transform and (value_type == 0 or se is not None):
        raise ValueError("transform needs value_type 1 or 2 and confidence limits instead of se")
    if repetitions < 1000:
        raise ValueError("repetitions must be at least 1000")
    if np.isnan(populations).any() or np.any(populations <= 0):
        raise ValueError("populations must all be > 0")
    levels = tuple(confidence_level(c) for c in np.atleast_1d(confidence))
    forward, inverse = _TRANSFORMS[value_type]
    values = _checked("values", values, quantiles, value_type)
    if se is None:
        if lower is None or upper is None:
            raise ValueError("give se or both lower and upper confidence limits")
        lower = _checked("lower", lower, quantiles, value_type)
        upper = _checked("upper", upper, quantiles, value_type)
        se = (forward(upper) - forward(lower)) / (2 * z_value(0.95))
    else:
        se = _checked("se", se, quantiles, value_type=0)
        if np.any(se < 0):
            raise ValueError("standard errors must be >= 0")

    share = populations / populations.sum()
    rank = np.cumsum(share) - share / 2
    root = np.sqrt(share)
    design = np.column_stack([root, rank * root])
    solver = np.linalg.solve(design.T @ design, design.T)

    def fit(y: Floats) -> tuple[Floats, Floats, Floats]:
        intercept, slope = np.moveaxis((y * root) @ solver.T, -1, 0)
        low, high = intercept, intercept + slope
        if transform:
            low, high = inverse(low), inverse(high)
        ratio = high / low
        return (high - low) * multiplier, 1 / ratio if multiplier < 0 else ratio, intercept

    point_sii, point_rii, intercept = fit(forward(values) if transform else values)
    draws = np.random.default_rng(rng).normal(forward(values), se, size=(repetitions, quantiles))
    sim_sii, sim_rii, _ = fit(draws if transform else inverse(draws))
    sim_sii, sim_rii = np.sort(sim_sii), np.sort(sim_rii)

    def limits(sorted_sims: FloatArray, level: float) -> tuple[float, float]:
        low, high = round(repetitions * (1 - level) / 2), round(repetitions * (1 + level) / 2)
        return float(sorted_sims[low - 1]), float(sorted_sims[high - 1])

    return SIIResult(
        sii=float(point_sii),
        rii=float(point_rii),
        intercept=float(inverse(intercept) * abs(multiplier) if transform else intercept),
        confidence=levels,
        sii_limits=tuple(limits(sim_sii, level) for level in levels),
        rii_limits=tuple(limits(sim_rii, level) for level in levels),
    )


def quantile_gap(most_deprived: ArrayLike, least_deprived: ArrayLike, se_most: ArrayLike, se_least: ArrayLike,
                 confidence: float = 0.95) -> Estimate:
    """Gap least − most deprived value with limits gap ± z·√(SE_most² + SE_least²); vectorised."""
    most, least = as_float_array(most_deprived), as_float_array(least_deprived)
    gap = least - most
    half_width = z_value(confidence) * np.hypot(as_float_array(se_most), as_float_array(se_least))
    return Estimate(gap[()], (gap - half_width)[()], (gap + half_width)[()])


def invert_for_polarity(polarity: Polarity | np.bool_) -> bool:
    """phe_quantile invert flag: True for 'RAG - Low is good', False for 'RAG - High is good'.

    Booleans pass through; any other polarity (BOB, not applicable, unknown) raises ValueError.
    """
    if isinstance(polarity, (bool, np.bool_)):
        return bool(polarity)
    invert = {LOW_IS_GOOD: True, HIGH_IS_GOOD: False}.get(polarity_id(polarity))
    if invert is None:
        raise ValueError(f"polarity {polarity!r} does not say which end is quantile 1")
    return invert


def assign_quantiles(values: ArrayLike, nquantiles: int = 10,
                     invert: Polarity | np.bool_ | Iterable[Polarity | np.bool_] = True) -> FloatArray:
    """Quantile (1..nquantiles, float with NaN for missing) of each value within one group.

    invert=True puts the highest values in quantile 1 (e.g. IMD score, most deprived = 1).
    invert may also be a polarity, or one bool/polarity per row; they must all agree within the
    group or ValueError is raised. All quantiles are NaN when the group has fewer non-missing
    values than nquantiles.
    """
    values = as_float_array(values)
    per_row = [invert] if isinstance(invert, (int, str, np.generic)) else invert
    flags = {invert_for_polarity(flag) for flag in per_row}
    if len(flags) != 1:
        raise ValueError("invert (polarity) must take the same value for every row of a group")
    present = ~np.isnan(values)
    count = int(present.sum())
    quantiles = np.full(values.shape, np.nan)
    if count < nquantiles:
        return quantiles
    from scipy.stats import rankdata

    rank = rankdata(-values[present] if flags.pop() else values[present], method="min")
    assigned = np.floor((nquantiles + 1) - np.ceil(((count + 1) - rank) / (count / nquantiles)))
    quantiles[present] = np.maximum(assigned, 1)
    return quantiles


def _se_from_limits(lower: Floats, upper: Floats, confidence: float = 0.95) -> Floats:
    return (upper - lower) / (2 * z_value(confidence))


def difference(value: ArrayLike, lower: ArrayLike, upper: ArrayLike, ref_value: ArrayLike, ref_lower: ArrayLike,
               ref_upper: ArrayLike, confidence: float = 0.95) -> Estimate:
    """value − ref_value with limits ± z·√(SE² + SE_ref²), each SE from its 95% limits; vectorised.

    The two estimates are taken as independent: for a group against the whole population it belongs
    to, the covariance is positive, so the interval is conservative (wider than exact)."""
    return quantile_gap(ref_value, value, _se_from_limits(as_float_array(ref_lower), as_float_array(ref_upper)),
                        _se_from_limits(as_float_array(lower), as_float_array(upper)), confidence)


def ratio(value: ArrayLike, lower: ArrayLike, upper: ArrayLike, ref_value: ArrayLike, ref_lower: ArrayLike,
          ref_upper: ArrayLike, confidence: float = 0.95) -> Estimate:
    """value / ref_value (e.g. a rate ratio) with limits by the log method: exp(ln ratio ± z·√(SE² + SE_ref²)),
    each SE of ln(value) from its 95% limits as (ln upper − ln lower) / (2·1.96); vectorised. NaN where a value
    or limit is not > 0 (no log). Independence as in ``difference``."""
    arrays = np.broadcast_arrays(*(as_float_array(a) for a in (value, lower, upper, ref_value, ref_lower, ref_upper)))
    positive = np.all([a > 0 for a in arrays], axis=0)
    value, lower, upper, ref_value, ref_lower, ref_upper = (np.where(positive, a, np.nan) for a in arrays)
    log_ratio = np.log(value) - np.log(ref_value)
    half_width = z_value(confidence) * np.hypot(_se_from_limits(np.log(lower), np.log(upper)),
                                                _se_from_limits(np.log(ref_lower), np.log(ref_upper)))
    return Estimate(np.exp(log_ratio)[()], np.exp(log_ratio - half_width)[()], np.exp(log_ratio + half_width)[()])


def weighted_slope(values: ArrayLike, se: ArrayLike, times: ArrayLike | None = None,
                   confidence: float = 0.95) -> Estimate:
    """Slope of values on time (0, 1, 2... by default) by weighted least squares with weights 1/SE², and its
    limits slope ± z·SE_slope with SE_slope = 1/√Σw(t − t̄)² (the SEs taken as known, so a z test, as for the
    Fingertips weighted trend). Used for whether an inequality measure widens over time. ValueError with
    fewer than 3 points or a standard error that is not > 0."""
    values, se = as_float_array(values), as_float_array(se)
    times = np.arange(values.size, dtype=float) if times is None else as_float_array(times)
    if values.size < 3 or values.shape != se.shape or values.shape != times.shape:
        raise ValueError("a slope needs at least 3 points, each with a value, a standard error and a time")
    if np.isnan(values).any() or np.isnan(se).any() or np.any(se <= 0):
        raise ValueError("every point needs a value and a standard error > 0")
    weights = 1 / se**2
    centred = times - np.average(times, weights=weights)
    spread = float(np.sum(weights * centred**2))
    slope = float(np.sum(weights * centred * values) / spread)
    half_width = z_value(confidence) / np.sqrt(spread)
    return Estimate(slope, float(slope - half_width), float(slope + half_width))
