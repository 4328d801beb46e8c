"""Proportions with Wilson score confidence limits.

Mirrors DOMAIN.md §2.2 and PHEindicatormethods `phe_proportion` / `wilson_lower` /
`wilson_upper`. Functions accept scalars or numpy arrays (whole columns); NaN in gives NaN out.
"""

import numpy as np
from numpy.typing import ArrayLike

from ._common import Estimate, Floats, as_float_array, confidence_level, unwrap, z_value


def wilson_ci(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Floats, Floats]:
    """Wilson score limits (lower, upper) for x events out of n, as proportions of 1.

    Raises ValueError for x < 0, n <= 0 or x > n. Confidence 1 gives (0, 1).
    """
    x, n = as_float_array(x), as_float_array(n)
    if np.any(x < 0) or np.any(n <= 0) or np.any(x > n):
        raise ValueError("wilson_ci needs 0 <= x <= n and n > 0")
    if confidence_level(confidence) == 1:
        missing = np.isnan(x + n)
        return unwrap(np.where(missing, np.nan, 0.0)), unwrap(np.where(missing, np.nan, 1.0))
    z = z_value(confidence)
    spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    centre, scale = 2 * x + z**2, 2 * (n + z**2)
    return unwrap((centre - spread) / scale), unwrap((centre + spread) / scale)


def proportion(x: ArrayLike, n: ArrayLike, multiplier: float = 100, confidence: float = 0.95) -> Estimate:
    """Proportion x/n times multiplier (100 = percentage) with Wilson limits on the same scale."""
    lower, upper = wilson_ci(x, n, confidence)
    x, n = as_float_array(x), as_float_array(n)
    return Estimate(unwrap(x / n * multiplier), lower * multiplier, upper * multiplier)
