"""Mean with a Student's t confidence interval.

Mirrors DOMAIN.md §2.5 and PHEindicatormethods `phe_mean`.
"""

import numpy as np
from numpy.typing import ArrayLike

from ._common import Estimate, as_float_array, confidence_level


def mean(values: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Mean of values with limits x̄ ± t(n−1, 1−α/2)·s/√n; NaN if any value is NaN or n < 2."""
    values = as_float_array(values).ravel()
    n = values.size
    if n < 2 or np.isnan(values).any():
        return Estimate(np.nan, np.nan, np.nan)
    from scipy.stats import t

    level = confidence_level(confidence)
    centre = values.mean()
    half_width = t.ppf(level + (1 - level) / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return Estimate(centre, centre - half_width, centre + half_width)
