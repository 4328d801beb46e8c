"""Life expectancy from an abridged life table (Chiang II) with a 90+ band.

Mirrors DOMAIN.md §2.6 and PHEindicatormethods `phe_life_expectancy`: Chiang's variance with
the Silcocks et al. (2001) term for the open-ended last band, and the package's NA rules.
"""

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._common import FloatArray, as_float_array, z_value

START_AGES = (0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
MINIMUM_PERSON_YEARS = 5000
MAXIMUM_HALF_WIDTH = 10  # LE is suppressed when 1.96·SE > 10 years (95% CI wider than 20 years)
RADIX = 100_000


class LifeTable(NamedTuple):
    """Results for each start age in START_AGES (numpy arrays of length 20)."""

    value: FloatArray
    lower: FloatArray
    upper: FloatArray
    se: FloatArray
    pops_used: FloatArray
    deaths_used: FloatArray


def _is_valid(deaths: FloatArray, populations: FloatArray) -> bool:
    return not (np.isnan(deaths).any() or np.isnan(populations).any()
                or np.any(populations <= 0) or np.any(deaths < 0) or np.any(deaths > populations)
                or populations.sum() <= MINIMUM_PERSON_YEARS or deaths[-1] < 1)


def life_expectancy(deaths: ArrayLike, populations: ArrayLike, confidence: float = 0.95) -> LifeTable:
    """Life expectancy at each start age for one area from deaths and person-years in 20 bands.

    Bands are 0, 1-4, 5-9, ..., 85-89, 90+. All outputs except pops_used/deaths_used are NaN
    when a band is missing (NaN), any population is <= 0, any deaths are < 0 or exceed the
    population, total person-years are <= 5,000 or the 90+ band has no deaths. The value (but
    not its limits) is NaN wherever 1.96·SE > 10.
    """
    deaths, populations = as_float_array(deaths), as_float_array(populations)
    if deaths.shape != (len(START_AGES),) or populations.shape != deaths.shape:
        raise ValueError(f"life_expectancy needs {len(START_AGES)} age bands")
    pops_used = np.cumsum(populations[::-1])[::-1]
    deaths_used = np.cumsum(deaths[::-1])[::-1]
    if not _is_valid(deaths, populations):
        missing = np.full(deaths.shape, np.nan)
        return LifeTable(missing, missing, missing, missing, pops_used, deaths_used)

    rate = deaths / populations
    width = np.append(np.diff(START_AGES), 2 / rate[-1])
    lived = np.where(np.array(START_AGES) == 0, 0.1, 0.5)
    q = rate * width / (1 + rate * width * (1 - lived))
    q = np.where(deaths > populations / width / lived, 1.0, q)
    q[-1] = 1.0
    alive = RADIX * np.cumprod(np.append(1.0, 1 - q[:-1]))
    alive_next = np.append(alive[1:], 0.0)
    dying = alive - alive_next
    years = width * (alive_next + lived * dying)
    years[-1] = alive[-1] / rate[-1]
    remaining = np.cumsum(years[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(alive > 0, remaining / alive, 0.0)
        var_p = np.where(deaths > 0, q**2 * (1 - q) / deaths, 0.0)
        weights = var_p * alive**2 * ((1 - lived) * width + np.append(value[1:], 0.0)) ** 2
        weights[-1] = (alive[-1] / 2) ** 2 * 4 / (deaths[-1] * rate[-1] ** 2)
        se = np.sqrt(np.cumsum(weights[::-1])[::-1] / alive**2)
    z = z_value(confidence)
    suppressed = np.where(1.96 * se > MAXIMUM_HALF_WIDTH, np.nan, value)
    return LifeTable(suppressed, value - z * se, value + z * se, se, pops_used, deaths_used)
