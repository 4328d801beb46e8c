"""Helpers shared by the statistics modules (DOMAIN.md §2 notation and §2.10 polarity ids)."""

from functools import lru_cache
from typing import NamedTuple, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

LOW_IS_GOOD = 0
HIGH_IS_GOOD = 1
BOB = 99
NOT_APPLICABLE = -1

FloatArray: TypeAlias = NDArray[np.float64]
Floats: TypeAlias = float | FloatArray  # one value, or a numpy array of them when given whole columns
Polarity: TypeAlias = int | str  # a Fingertips polarity id or its name

_POLARITY_NAMES: dict[str, int] = {
    "rag - low is good": LOW_IS_GOOD,
    "rag - high is good": HIGH_IS_GOOD,
    "bob": BOB,
    "blue orange blue": BOB,
    "not applicable": NOT_APPLICABLE,
}


class Estimate(NamedTuple):
    """A point estimate with its confidence limits (floats, or numpy arrays when vectorised)."""

    value: Floats
    lower: Floats
    upper: Floats


def confidence_level(confidence: float) -> float:
    """Return confidence as a fraction; accepts 0.9-1 or 90-100 like PHEindicatormethods."""
    if 0.9 <= confidence <= 1:
        return float(confidence)
    if 90 <= confidence <= 100:
        return confidence / 100
    raise ValueError("confidence must be between 0.9 and 1 or between 90 and 100")


@lru_cache(maxsize=64)
def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile z = Φ⁻¹(1 − α/2) for the given confidence level (kept per level:
    scipy's ``ppf`` cost 0.1 ms a call, 5,000 calls in one build of the indicator values)."""
    from scipy.stats import norm  # here, not at import: see marmot.stats

    level = confidence_level(confidence)
    return float(norm.ppf(level + (1 - level) / 2))


def polarity_id(polarity: Polarity) -> int:
    """Fingertips polarity id (-1, 0, 1 or 99) for an id or name; ValueError if unknown."""
    if isinstance(polarity, str):
        key = " ".join(polarity.replace("–", "-").lower().split())
        if key in _POLARITY_NAMES:
            return _POLARITY_NAMES[key]
    elif not isinstance(polarity, bool) and polarity in _POLARITY_NAMES.values():
        return int(polarity)
    raise ValueError(f"unknown polarity: {polarity!r}")


def as_float_array(values: ArrayLike) -> FloatArray:
    """Convert scalars or sequences to a float numpy array; None becomes NaN."""
    return np.asarray(values, dtype=float)


def unwrap(array: FloatArray) -> Floats:
    """Return a 0-d array as a numpy float scalar and leave other arrays unchanged."""
    return array[()]
