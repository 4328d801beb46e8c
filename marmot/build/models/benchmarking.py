"""Benchmarking of the disclosure-controlled indicator rows: each row against England, the recent
trend of each city indicator and the gap between the most and least deprived IMD quintiles
(int_indicator_england_comparisons, int_indicator_trends, int_indicator_quintile_gaps)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marmot.stats import compare_ci, quantile_gap, trend_proportion, trend_weighted

POLARITY = {"HiG": "RAG - High is good", "LiG": "RAG - Low is good", "BOB": "BOB"}
CANNOT = "Cannot be calculated"
TREND_POINTS = 5
Z = 1.959963984540054
MEASURES = ["numerator", "denominator", "value", "lower_95", "upper_95"]


def england_comparisons(values, catalogue, england):
    """Each row of ``values`` compared with England (Fingertips comparator method 1: is the England
    value inside the row's 95% CI?), judged by the indicator's polarity, with marmot.stats.compare_ci.
    A period is compared with England's value for the year it ends in (pooled: its last year)."""
    rows = values[["indicator_id", "period", "geography_level", "area_code", "breakdown", "breakdown_value",
                   "value", "lower_95", "upper_95"]].copy()
    rows["year"] = np.where(rows["period"].str.len() == 9, rows["period"].str[5:9], rows["period"].str[:4]).astype(int)
    df = rows.merge(catalogue[["indicator_id", "polarity"]], on="indicator_id").merge(
        england[["indicator_id", "year", "england_value"]], on=["indicator_id", "year"], how="left")
    df["england_comparison"] = pd.Series(
        [compare_ci(v, lo, up, e, POLARITY[p]) for v, lo, up, e, p in
         df[["value", "lower_95", "upper_95", "england_value", "polarity"]].itertuples(index=False)],
        dtype="string")
    return df.drop(columns=["value", "lower_95", "upper_95", "polarity", "year"])


def _trend(series, method, polarity, pooled_years):
    last = series.tail(TREND_POINTS)
    years = last["period"].str[:4].astype(int).to_numpy()
    if pooled_years > 1 or len(last) < TREND_POINTS or np.any(np.diff(years) != 1):
        return CANNOT, np.nan
    if method == "wilson":
        result = trend_proportion(last["numerator"], last["denominator"], POLARITY[polarity])
    else:
        result = trend_weighted(last["value"], last["lower_95"], last["upper_95"], POLARITY[polarity])
    return result.label, result.chi_square


def trends(values, catalogue):
    """Recent trend of every city indicator (persons) at its latest period: the Fingertips test over
    the last five consecutive annual published points (a suppressed point stops the test;
    marmot.stats.trend_proportion for counted proportions, trend_weighted otherwise). Pooled
    (overlapping) periods, series with a gap or fewer than five points are "Cannot be calculated",
    as in Fingertips."""
    city = values[(values["geography_level"] == "city") & (values["breakdown"] == "persons")]
    city = city.assign(**{c: city[f"published_{c}"] for c in MEASURES})
    catalogue = catalogue[["indicator_id", "method", "polarity", "pooled_years"]]
    rows = []
    for (indicator_id, method, polarity, pooled), series in city.merge(catalogue, on="indicator_id").groupby(
            ["indicator_id", "method", "polarity", "pooled_years"]):
        series = series.sort_values("period")
        label, chi_square = _trend(series, method, polarity, pooled)
        rows.append((indicator_id, series["period"].iloc[-1], len(series), label, chi_square))
    return pd.DataFrame(rows, columns=["indicator_id", "latest_period", "periods_available", "trend_label",
                                       "trend_chi_square"]).astype({"trend_chi_square": float})


def _gap_change(previous, current):
    if previous is None or np.isnan(previous["gap"]) or np.isnan(current["gap"]):
        return CANNOT
    se = np.hypot(previous["gap_se"], current["gap_se"])
    difference = abs(current["gap"]) - abs(previous["gap"])
    if np.isnan(se) or abs(difference) <= Z * se:
        return "No significant change"
    return "Widening" if difference > 0 else "Narrowing"


def quintile_gaps(values):
    """The gap between the most (IMD quintile 1) and least (quintile 5) deprived quintiles of every
    indicator and period, from the published quintile values (none where one is suppressed), least
    minus most deprived, with its 95% CI from marmot.stats.quantile_gap (standard errors from each
    quintile's 95% CI), and whether the gap widened or narrowed since the previous period (its
    absolute size grew or shrank by more than the two periods' combined uncertainty, else
    "No significant change")."""
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
        changes.append(_gap_change(previous.get(row.indicator_id), current))
        previous[row.indicator_id] = current
    wide["gap_change"] = pd.Series(changes, dtype="string")
    return wide[["indicator_id", "period", "value_q1", "value_q5", "gap", "gap_lower_95", "gap_upper_95",
                 "gap_change"]].astype({c: float for c in ["value_q1", "value_q5", "gap", "gap_lower_95",
                                                          "gap_upper_95"]})
