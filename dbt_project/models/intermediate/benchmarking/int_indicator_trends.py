"""Recent trend of every city indicator (persons) at its latest period: the Fingertips test
over the last five consecutive annual published points (a suppressed point stops the test) (marmot.stats.trend_proportion for counted
proportions, trend_weighted otherwise). Pooled (overlapping) periods, series with a gap or
fewer than five points are "Cannot be calculated", as in Fingertips."""

import numpy as np
import pandas as pd

POLARITY = {"HiG": "RAG - High is good", "LiG": "RAG - Low is good", "BOB": "BOB"}
POINTS = 5
CANNOT = "Cannot be calculated"


def _trend(series, method, polarity, pooled_years):
    from marmot.stats import trend_proportion, trend_weighted

    last = series.tail(POINTS)
    years = last["period"].str[:4].astype(int).to_numpy()
    if pooled_years > 1 or len(last) < POINTS or np.any(np.diff(years) != 1):
        return CANNOT, np.nan
    if method == "wilson":
        result = trend_proportion(last["numerator"], last["denominator"], POLARITY[polarity])
    else:
        result = trend_weighted(last["value"], last["lower_95"], last["upper_95"], POLARITY[polarity])
    return result.label, result.chi_square


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("int_indicator_values__disclosure_controlled").df()
    catalogue = dbt.ref("indicator_catalogue").df()[["indicator_id", "method", "polarity", "pooled_years"]]
    city = values[(values["geography_level"] == "city") & (values["breakdown"] == "persons")]
    city = city.assign(**{c: city[f"published_{c}"] for c in ["numerator", "denominator", "value", "lower_95",
                                                                "upper_95"]})
    rows = []
    for (indicator_id, method, polarity, pooled), series in city.merge(catalogue, on="indicator_id").groupby(
            ["indicator_id", "method", "polarity", "pooled_years"]):
        series = series.sort_values("period")
        label, chi_square = _trend(series, method, polarity, pooled)
        rows.append((indicator_id, series["period"].iloc[-1], len(series), label, chi_square))
    return pd.DataFrame(rows, columns=["indicator_id", "latest_period", "periods_available", "trend_label",
                                       "trend_chi_square"]).astype({"trend_chi_square": float})
