"""Crude rates with exact Poisson (x < 10) or Byar's (x >= 10) confidence limits.

Mirrors DOMAIN.md §2.1 and §2.3 and PHEindicatormethods `phe_rate` / `byars_lower` /
`byars_upper`. Functions accept scalars or numpy arrays; NaN in gives NaN out.
"""

import numpy as np
from numpy.typing import ArrayLike

from ._common import Estimate, FloatArray, Floats, as_float_array, confidence_level, unwrap, z_value

EXACT_BELOW = 10


def _counts(x: ArrayLike) -> FloatArray:
    x = as_float_array(x)
    if np.any(x < 0):
        raise ValueError("counts must be >= 0")
    return x


def byars_lower(x: ArrayLike, confidence: float = 0.95) -> Floats:
    """Byar's lower limit for a count x (a count, not a rate); NaN where it goes negative."""
    x, z = _counts(x), z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    return unwrap(np.where(lower < 0, np.nan, lower))


def byars_upper(x: ArrayLike, confidence: float = 0.95) -> Floats:
    """Byar's upper limit for an observed count x."""
    x, z = _counts(x) + 1, z_value(confidence)
    return unwrap(x * (1 - 1 / (9 * x) + z / (3 * np.sqrt(x))) ** 3)


def exact_lower(x: ArrayLike, confidence: float = 0.95) -> Floats:
    """Exact Poisson lower limit for a count x: χ²(α/2, 2x)/2, and 0 when x = 0."""
    from scipy.stats import chi2

    x, alpha = _counts(x), 1 - confidence_level(confidence)
    with np.errstate(invalid="ignore"):
        lower = chi2.ppf(alpha / 2, 2 * x) / 2
    return unwrap(np.where(x == 0, 0.0, lower))


def exact_upper(x: ArrayLike, confidence: float = 0.95) -> Floats:
    """Exact Poisson upper limit for a count x: χ²(1 − α/2, 2x + 2)/2."""
    from scipy.stats import chi2

    x, alpha = _counts(x), 1 - confidence_level(confidence)
    return unwrap(np.asarray(chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2))


def rate(x: ArrayLike, n: ArrayLike, multiplier: float = 100_000, confidence: float = 0.95) -> Estimate:
    """Crude rate x/n times multiplier; exact limits when x < 10, Byar's otherwise.

    The numerator may exceed the denominator. Raises ValueError for x < 0 or n <= 0.
    """
    x, n = _counts(x), as_float_array(n)
    if np.any(n <= 0):
        raise ValueError("denominators must be > 0")
    exact = x < EXACT_BELOW
    lower = np.where(exact, exact_lower(x, confidence), byars_lower(x, confidence))
    upper = np.where(exact, exact_upper(x, confidence), byars_upper(x, confidence))
    scale = multiplier / n
    return Estimate(unwrap(x * scale), unwrap(lower * scale), unwrap(upper * scale))
