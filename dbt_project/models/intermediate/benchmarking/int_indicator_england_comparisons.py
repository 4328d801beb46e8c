"""Each publishable indicator row compared with England (Fingertips comparator method 1: is
the England value inside the row's 95% CI?), judged by the indicator's polarity, with
marmot.stats.compare_ci. The England values are the seeded approximate references."""

import numpy as np
import pandas as pd

POLARITY = {"HiG": "RAG - High is good", "LiG": "RAG - Low is good", "BOB": "BOB"}


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.stats import compare_ci

    rows = dbt.ref("int_indicator_values__disclosure_controlled").df()[
        ["indicator_id", "period", "geography_level", "area_code", "breakdown", "breakdown_value",
         "value", "lower_95", "upper_95"]]
    catalogue = dbt.ref("indicator_catalogue").df()[["indicator_id", "polarity"]]
    england = dbt.ref("england_benchmarks").df()[["indicator_id", "year", "england_value"]]
    # a period is compared with England's value for the year it ends in (pooled: its last year)
    rows["year"] = np.where(rows["period"].str.len() == 9, rows["period"].str[5:9], rows["period"].str[:4]).astype(int)
    df = rows.merge(catalogue, on="indicator_id").merge(england, on=["indicator_id", "year"], how="left")
    df["england_comparison"] = pd.Series(
        [compare_ci(v, lo, up, e, POLARITY[p]) for v, lo, up, e, p in
         df[["value", "lower_95", "upper_95", "england_value", "polarity"]].itertuples(index=False)],
        dtype="string")
    return df.drop(columns=["value", "lower_95", "upper_95", "polarity", "year"])
