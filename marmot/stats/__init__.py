"""Public-health statistical methods (DOMAIN.md §2), mirroring PHEindicatormethods and Fingertips.

Every function is pure (numpy/scipy only). scipy is imported by the functions that use it, not with
the package: ``scipy.stats`` took 0.54 of the 1.2 s the site builder's processes spent importing, and
publishing uses none of it. Confidence levels are accepted as 0.9-1 or 90-100.
Polarity is a Fingertips id (-1 not applicable, 0 RAG low is good, 1 RAG high is good,
99 BOB) or its name, e.g. "RAG - Low is good".
"""

from ._common import BOB, HIGH_IS_GOOD, LOW_IS_GOOD, NOT_APPLICABLE, Estimate, polarity_id
from .benchmarking import (
    compare_ci,
    compare_ci_overlap,
    compare_ci_two_levels,
    compare_spc_dsr,
    compare_spc_proportion,
    poisson_control_limits,
    quantile_categories,
)
from .dsr import ESP2013, dsr, dsr_of_areas
from .inequality import (
    SIIResult,
    assign_quantiles,
    difference,
    invert_for_polarity,
    quantile_gap,
    ratio,
    sii,
    weighted_slope,
)
from .life_expectancy import START_AGES, LifeTable, life_expectancy
from .means import mean
from .proportions import proportion, wilson_ci
from .rates import byars_lower, byars_upper, exact_lower, exact_upper, rate
from .trend import TrendResult, trend_proportion, trend_weighted

__all__ = [
    "BOB", "ESP2013", "HIGH_IS_GOOD", "LOW_IS_GOOD", "NOT_APPLICABLE", "START_AGES",
    "Estimate", "LifeTable", "SIIResult", "TrendResult",
    "assign_quantiles", "byars_lower", "byars_upper", "compare_ci", "compare_ci_overlap",
    "compare_ci_two_levels", "compare_spc_dsr", "compare_spc_proportion", "difference", "dsr", "dsr_of_areas",
    "exact_lower", "exact_upper", "invert_for_polarity", "life_expectancy", "mean", "poisson_control_limits",
    "polarity_id", "proportion", "quantile_categories", "quantile_gap", "rate", "ratio", "sii",
    "trend_proportion", "trend_weighted", "weighted_slope", "wilson_ci",
]
