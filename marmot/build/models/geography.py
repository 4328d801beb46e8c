"""Local deprivation groups of Coventry's LSOAs (int_geography__lsoa21_local_deciles)."""

from __future__ import annotations

from marmot.stats import assign_quantiles


def local_imd_deciles(lsoas):
    """Coventry's LSOAs ranked by IMD 2025 score (``IMD_score``) into ten groups, 1 = most deprived
    (the highest scores), with marmot.stats.assign_quantiles: the deciles of the slope index of inequality."""
    deciles = assign_quantiles(lsoas["IMD_score"].to_numpy(dtype=float), 10, invert=True)
    return lsoas[["lsoa21_code"]].assign(local_imd_decile=deciles.astype(int))
