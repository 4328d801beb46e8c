"""The gap between the most (IMD quintile 1) and least (quintile 5) deprived quintiles of
every indicator and period, from the published quintile values (none where one is
suppressed), least minus most deprived, with its 95% CI from
marmot.stats.quantile_gap (standard errors from each quintile's 95% CI), and whether the
gap widened or narrowed since the previous period (its absolute size grew or shrank by more
than the two periods' combined uncertainty, else "No significant change")."""

import numpy as np
import pandas as pd

Z = 1.959963984540054


def _change(previous, current):
    if previous is None or np.isnan(previous["gap"]) or np.isnan(current["gap"]):
        return "Cannot be calculated"
    se = np.hypot(previous["gap_se"], current["gap_se"])
    difference = abs(current["gap"]) - abs(previous["gap"])
    if np.isnan(se) or abs(difference) <= Z * se:
        return "No significant change"
    return "Widening" if difference > 0 else "Narrowing"


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.stats import quantile_gap

    values = dbt.ref("int_indicator_values__disclosure_controlled").df()
    quintiles = values[(values["geography_level"] == "imd_quintile") & values["area_code"].isin(["Q1", "Q5"])
                       & (values["breakdown"] == "persons")]
    quintiles = quintiles.assign(value=quintiles["published_value"], lower_95=quintiles["published_lower_95"],
                                 upper_95=quintiles["published_upper_95"])
    wide = quintiles.set_index(["indicator_id", "period", "area_code"])[
        ["value", "lower_95", "upper_95"]].unstack("area_code")
    wide.columns = [f"{measure}_{area.lower()}" for measure, area in wide.columns]
    wide = wide.reset_index().reindex(columns=["indicator_id", "period", "value_q1", "value_q5", "lower_95_q1",
                                               "upper_95_q1", "lower_95_q5", "upper_95_q5"])
    se_q1 = (wide["upper_95_q1"] - wide["lower_95_q1"]) / (2 * Z)
    se_q5 = (wide["upper_95_q5"] - wide["lower_95_q5"]) / (2 * Z)
    gap = quantile_gap(wide["value_q1"].to_numpy(float), wide["value_q5"].to_numpy(float),
                       se_q1.to_numpy(float), se_q5.to_numpy(float))
    wide["gap"], wide["gap_lower_95"], wide["gap_upper_95"] = (np.atleast_1d(g) for g in gap)
    wide["gap_se"] = np.hypot(se_q1, se_q5)
    wide = wide.sort_values(["indicator_id", "period"]).reset_index(drop=True)
    changes, previous = [], {}
    for row in wide.itertuples(index=False):
        current = {"gap": row.gap, "gap_se": row.gap_se}
        changes.append(_change(previous.get(row.indicator_id), current))
        previous[row.indicator_id] = current
    wide["gap_change"] = pd.Series(changes, dtype="string")
    return wide[["indicator_id", "period", "value_q1", "value_q5", "gap", "gap_lower_95", "gap_upper_95",
                 "gap_change"]].astype({c: float for c in ["value_q1", "value_q5", "gap", "gap_lower_95",
                                                          "gap_upper_95"]})
