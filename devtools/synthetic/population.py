"""The shared population model every record-level dataset is drawn from.

Population by LSOA x sex x single year of age (0-90, 90 = 90+) per calendar year: about
1,700 residents per LSOA in 2021 (deprived LSOAs larger and younger), the city about 345k in
2021 growing 0.8% a year, times ``scale``. Mortality is Gompertz-Makeham by sex with a
deprivation multiplier calibrated so male LE is about 78 and female about 82, with a gap of
about 10 (male) and 8 (female) years between IMD deciles 1 and 10. Years are drawn
independently (Poisson around the expected counts); cohorts are not aged forward.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from devtools.synthetic.geography import Area

AGES = np.arange(91)
BASE_YEAR = 2021
GROWTH = 1.008
ETHNIC_GROUPS = ["White", "Asian", "Black", "Mixed", "Other", "Unknown"]
# city shares (Census 2021: White 65.5%, Asian 18.5%, Black 8.9%); deprived LSOAs more diverse
_ETHNIC_BASE = np.array([0.64, 0.18, 0.09, 0.045, 0.03, 0.015])
# Gompertz-Makeham: m(a) = makeham + exp(alpha + beta * a); infant rate separately
_MORTALITY = {"M": (-10.5, 0.095, 0.0002, 0.0060), "F": (-11.0, 0.098, 0.00015, 0.0050)}
_GAP = {"M": 0.41, "F": 0.32}  # log hazard ratio, decile 1 vs the city, (d - 5.5) / 4.5 scaled


def stream(seed: int, *names: object) -> np.random.Generator:
    """An independent random stream named by strings/ints (stable across runs and Python versions)."""
    return np.random.default_rng([seed, *(zlib.crc32(str(n).encode()) for n in names)])


def _age_shape() -> np.ndarray:
    """Relative population at each single year of age for a young, diverse city."""
    a = AGES.astype(float)
    w = np.exp(-((a / 80.0) ** 6)) * (1 + 0.45 * np.exp(-(((a - 20.5) / 2.8) ** 2)))
    w[:18] *= 0.86  # 22% under 18 (Coventry 2023: 22.3%)
    w[90] = w[85:90].sum() * 0.35  # 90+ open band
    return w / w.sum()


@dataclass
class World:
    """Areas, population and rates shared by all generators for one seed and scale."""

    areas: list[Area]
    seed: int
    scale: float = 1.0
    _pop: dict = field(default_factory=dict, repr=False)

    @cached_property
    def decile(self) -> np.ndarray:
        return np.array([a.imd_decile for a in self.areas])

    @cached_property
    def deprivation(self) -> np.ndarray:
        """+1 for IMD decile 1 (most deprived) to -1 for decile 10."""
        return (5.5 - self.decile) / 4.5

    @cached_property
    def lsoa(self) -> np.ndarray:
        return np.array([a.lsoa21_code for a in self.areas])

    @cached_property
    def ward_names(self) -> list[str]:
        return sorted({a.ward_name for a in self.areas})

    @cached_property
    def ethnic_p(self) -> np.ndarray:
        """Ethnic group probabilities per LSOA (rows sum to 1)."""
        tilt = np.array([-0.35, 0.55, 0.5, 0.2, 0.3, 0.0])
        p = _ETHNIC_BASE[None, :] * np.exp(np.outer(self.deprivation, tilt))
        return p / p.sum(1, keepdims=True)

    @cached_property
    def expected(self) -> np.ndarray:
        """Expected 2021 population [lsoa, sex(M,F), age] before scale and growth."""
        rng = stream(self.seed, "population-structure")
        size = 1700 * np.exp(0.08 * self.deprivation) * rng.lognormal(0, 0.12, len(self.areas))
        size *= 345_300 / size.sum()
        shape = _age_shape()[None, :] * np.exp(-0.35 * np.outer(self.deprivation, (AGES - 35) / 40))
        shape /= shape.sum(1, keepdims=True)
        female = np.clip(0.49 + 0.12 * np.clip((AGES - 60) / 30, 0, 1), 0, 0.62)
        by_age = size[:, None] * shape
        return np.stack([by_age * (1 - female), by_age * female], axis=1)

    def population(self, year: int) -> np.ndarray:
        """Residents [lsoa, sex, age] (integers) in a calendar year (mid-year)."""
        if year not in self._pop:
            rng = stream(self.seed, "population", year)
            lam = self.expected * self.scale * GROWTH ** (year - BASE_YEAR)
            self._pop[year] = rng.poisson(lam)
        return self._pop[year]

    def mortality(self) -> np.ndarray:
        """Annual death rate [lsoa, sex, age]."""
        rates = []
        for _, sex in enumerate("MF"):
            alpha, beta, makeham, infant = _MORTALITY[sex]
            m = makeham + np.exp(alpha + beta * AGES)
            m[0] = infant
            m[90] = np.exp(alpha + beta * 95) * 0.85
            rates.append(m[None, :] * np.exp(_GAP[sex] * self.deprivation)[:, None])
        return np.minimum(np.stack(rates, axis=1), 0.6)

    def sample_people(self, rng: np.random.Generator, counts: np.ndarray):
        """Expand an integer array [lsoa, sex, age] into (lsoa, sex, age) index arrays, one per person."""
        flat = counts.reshape(-1)
        idx = np.repeat(np.arange(flat.size), flat)
        lsoa, sex, age = np.unravel_index(idx, counts.shape)
        return lsoa, sex, age

    def draw(self, rng: np.random.Generator, expected: np.ndarray):
        """Poisson counts around ``expected`` [lsoa, sex, age], expanded to people."""
        return self.sample_people(rng, rng.poisson(np.maximum(expected, 0)))

    def ethnicity(self, rng: np.random.Generator, lsoa: np.ndarray) -> np.ndarray:
        """One broad ethnic group per person, by the LSOA's mix."""
        u = rng.random(len(lsoa))
        cum = np.cumsum(self.ethnic_p, axis=1)[lsoa]
        return np.array(ETHNIC_GROUPS)[np.minimum((u[:, None] > cum).sum(1), len(ETHNIC_GROUPS) - 1)]


def logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def bernoulli(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    return rng.random(np.shape(p)) < p
