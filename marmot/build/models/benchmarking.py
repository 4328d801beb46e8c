"""Benchmarking of the disclosure-controlled indicator rows: each row against England and the region, the recent
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


COMPARISON_CODES = {"Better": "better", "Similar": "similar", "Worse": "worse", "Lower": "lower", "Higher": "higher",
                    "Not compared": "not_compared"}


def _compare(df, comparator):
    labels = pd.Series([compare_ci(v, lo, up, c, POLARITY[p]) for v, lo, up, c, p in
                        df[["value", "lower_95", "upper_95", comparator, "polarity"]].itertuples(index=False)],
                       dtype="string", index=df.index)
    return labels, labels.map(COMPARISON_CODES).astype("string")


def england_comparisons(values, catalogue, comparators):
    """Each row of ``values`` compared with England and with its region OF THE SAME PERIOD (Fingertips
    comparator method 1: is the comparator's value inside the row's 95% CI?), judged by the indicator's
    polarity with marmot.stats.compare_ci; a label and a stable code for each. ``comparators`` is
    int_indicator_comparators: England from Fingertips, or the approximate seed (``england_value_is_approximate``)
    where Fingertips has no value for the period; the region only from Fingertips."""
    rows = values[["indicator_id", "period", "geography_level", "area_code", "breakdown", "breakdown_value",
                   "value", "lower_95", "upper_95"]]
    kinds = comparators[comparators["comparator_kind"].isin(["england", "region"])]
    wide = kinds.pivot_table(index=["indicator_id", "period"], columns="comparator_kind", aggfunc="first",
                             values=["value", "is_approximate", "source", "is_synthetic"])
    wide.columns = [f"{kind}_{measure}" for measure, kind in wide.columns]
    wide = wide.reset_index().reindex(columns=[
        "indicator_id", "period", "england_value", "england_is_approximate", "england_source", "england_is_synthetic",
        "region_value"]).rename(columns={"england_is_approximate": "england_value_is_approximate",
                                         "england_source": "england_value_source",
                                         "england_is_synthetic": "comparators_are_synthetic"})
    df = rows.merge(catalogue[["indicator_id", "polarity"]], on="indicator_id").merge(
        wide, on=["indicator_id", "period"], how="left")
    df["england_comparison"], df["england_comparison_code"] = _compare(df, "england_value")
    df["region_comparison"], df["region_comparison_code"] = _compare(df, "region_value")
    df = df.astype({"england_value": float, "region_value": float, "england_value_source": "string",
                    "england_value_is_approximate": "boolean", "comparators_are_synthetic": "boolean"})
    return df.drop(columns=["value", "lower_95", "upper_95", "polarity"])


TREND_CODES = {"Increasing and getting better": "increasing_better", "Increasing and getting worse": "increasing_worse",
               "Decreasing and getting better": "decreasing_better", "Decreasing and getting worse": "decreasing_worse",
               "Increasing": "increasing", "Decreasing": "decreasing", "No significant change": "no_significant_change",
               CANNOT: "not_calculated"}


def _not_testable(series, pooled_years):
    """Why the Fingertips trend test cannot be run on the last points of ``series`` (None when it can)."""
    if pooled_years > 1:
        return "not tested: pooled periods overlap, so they are not independent points"
    if series["lower_95"].isna().all():
        return "not tested: the values of this method have no confidence intervals to test"
    last = series.tail(TREND_POINTS)
    if len(last) < TREND_POINTS:
        return f"needs {TREND_POINTS} comparable periods, has {len(last)}"
    years = last["period"].str[:4].astype(int).to_numpy()
    if gaps := [f"{last['period'].iloc[i]}" for i in np.flatnonzero(np.diff(years) != 1)]:
        return f"needs {TREND_POINTS} consecutive periods: no data after {', '.join(gaps)}"
    if hidden := list(last.loc[last["value"].isna(), "period"]):
        return f"a value among the last {TREND_POINTS} periods is suppressed or missing ({', '.join(hidden)})"
    return None


def _trend(series, method, polarity, pooled_years):
    """(label, code, reason, chi-square) of the trend over the last five points of ``series``."""
    if reason := _not_testable(series, pooled_years):
        return CANNOT, TREND_CODES[CANNOT], reason, np.nan
    last = series.tail(TREND_POINTS)
    if method == "wilson":
        result = trend_proportion(last["numerator"], last["denominator"], POLARITY[polarity])
    else:
        result = trend_weighted(last["value"], last["lower_95"], last["upper_95"], POLARITY[polarity])
    reason = None if result.label != CANNOT else "not tested: a value of 0 % or 100 %, or an interval of no width"
    first, latest = last["period"].iloc[0], last["period"].iloc[-1]
    return result.label, TREND_CODES[result.label], reason or f"Fingertips trend test over {first} to {latest}", \
        result.chi_square


def trends(values, catalogue, periods):
    """Recent trend of every city indicator (persons) at its latest usable period: the Fingertips test over
    the last five consecutive annual published points (marmot.stats.trend_proportion for counted proportions,
    trend_weighted otherwise). Part periods (``periods``: int_indicator_periods, ``is_usable`` false) are left
    out, so the latest period is the latest complete one. Every result says why in ``trend_reason``, and
    ``trend_code`` is a stable code beside the label. Pooled (overlapping) periods, series with a gap, a
    suppressed point or fewer than five points are "Cannot be calculated", as in Fingertips."""
    city = values[(values["geography_level"] == "city") & (values["breakdown"] == "persons")]
    city = city.merge(periods.loc[periods["is_usable"].astype(bool), ["indicator_id", "period"]],
                      on=["indicator_id", "period"])
    city = city.assign(**{c: city[f"published_{c}"] for c in MEASURES})
    catalogue = catalogue[["indicator_id", "method", "polarity", "pooled_years"]]
    rows = []
    for (indicator_id, method, polarity, pooled), series in city.merge(catalogue, on="indicator_id").groupby(
            ["indicator_id", "method", "polarity", "pooled_years"]):
        series = series.sort_values("period")
        label, code, reason, chi_square = _trend(series, method, polarity, pooled)
        rows.append((indicator_id, series["period"].iloc[-1], len(series), label, code, reason, chi_square))
    return pd.DataFrame(rows, columns=["indicator_id", "latest_period", "periods_available", "trend_label",
                                       "trend_code", "trend_reason", "trend_chi_square"]).astype(
        {"trend_chi_square": float, "trend_label": "string", "trend_code": "string", "trend_reason": "string"})


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
