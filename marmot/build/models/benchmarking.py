"""Benchmarking of the disclosure-controlled indicator rows: each row against England and the region of the same
period, and the recent trend of each city indicator (int_indicator_england_comparisons, int_indicator_trends)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marmot.stats import compare_ci, trend_proportion, trend_weighted

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


def not_testable(periods, values, lowers, pooled_years):
    """Why the Fingertips trend test cannot be run on the last points of a series (its periods, values and
    lower 95% limits, in period order; None when it can). Plain sequences, not pandas: the SII widening test
    asks this of every period of every indicator."""
    if pooled_years > 1:
        return "not tested: pooled periods overlap, so they are not independent points"
    if np.isnan(lowers).all():
        return "not tested: the values of this method have no confidence intervals to test"
    periods, values = periods[-TREND_POINTS:], values[-TREND_POINTS:]
    if len(periods) < TREND_POINTS:
        return f"needs {TREND_POINTS} comparable periods, has {len(periods)}"
    years = np.array([int(period[:4]) for period in periods])
    if gaps := [periods[i] for i in np.flatnonzero(np.diff(years) != 1)]:
        return f"needs {TREND_POINTS} consecutive periods: no data after {', '.join(gaps)}"
    if hidden := [period for period, value in zip(periods, values, strict=True) if np.isnan(value)]:
        return f"a value among the last {TREND_POINTS} periods is suppressed or missing ({', '.join(hidden)})"
    return None


def _trend(series, method, polarity, pooled_years):
    """(label, code, reason, chi-square) of the trend over the last five points of ``series``."""
    if reason := not_testable(series["period"].tolist(), *(series[c].to_numpy(dtype=float, na_value=np.nan)
                                                          for c in ("value", "lower_95")), pooled_years):
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
