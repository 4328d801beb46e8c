"""Values and 95% confidence intervals for every indicator row, by the catalogue's method.

A Python model so that the statistics are the tested ``marmot.stats`` implementations,
not a second copy in SQL.
"""

import numpy as np
import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.stats import wilson_ci

    counts = dbt.ref("int_indicator_counts").df()
    catalogue = dbt.ref("indicator_catalogue").df()
    df = counts.merge(catalogue[["indicator_id", "method", "multiplier", "suppress_below"]], on="indicator_id")
    x = df["numerator"].to_numpy(dtype=float)
    n = df["denominator"].to_numpy(dtype=float)
    m = df["multiplier"].to_numpy(dtype=float)
    wilson = (df["method"] == "wilson").to_numpy()
    unknown = set(df.loc[~wilson, "method"])
    if unknown:
        raise ValueError(f"no implementation for indicator methods {sorted(unknown)}")
    lower, upper = wilson_ci(x, np.where(n > 0, n, np.nan), 0.95)  # no interval without a denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        df["value"] = np.where(n > 0, x / n * m, np.nan)
    df["lower_95"] = np.asarray(lower, dtype=float) * m
    df["upper_95"] = np.asarray(upper, dtype=float) * m
    # primary suppression of small counts (numerator, or its complement for proportions)
    small = lambda k: (k > 0) & (k < df["suppress_below"])  # noqa: E731
    df["is_suppressed"] = small(df["numerator"]) | small(df["denominator"] - df["numerator"])
    df["suppression_reason"] = pd.Series(
        np.where(df["is_suppressed"], "count below " + df["suppress_below"].astype(str), None), dtype="string")
    return df.drop(columns=["method", "multiplier", "suppress_below"])
