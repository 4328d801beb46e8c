"""Disclosure control of every publishable indicator row (city, wards, IMD quintiles; city by
sex and by ethnic group), by each indicator's policy in the catalogue
(int_indicator_values__disclosure_controlled).

Primary suppression: a count from 1 to `suppress_below` - 1 (the numerator; for proportions
also its complement, denominator - numerator; for means the number of records).
Secondary suppression: the wards, the quintiles, the sexes and the ethnic groups each add up
to the city (persons) row. When that row is published and exactly one of its children is
suppressed, the child could be recovered by subtraction, so the next-smallest child is
suppressed too. Children belong to one such set each, so one pass is enough.
Keeps the raw and the published values side by side (only published values reach marts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["indicator_id", "period", "geography_level", "area_code", "breakdown", "breakdown_value"]
PUBLISHED_LEVELS = ["city", "ward", "imd_quintile"]
MEASURES = ["numerator", "denominator", "value", "lower_95", "upper_95"]
POLICY = ["method", "suppress_below", "suppress_complement", "secondary_suppression"]


def primary(frame):
    """Reason for primary suppression of each row, or None."""
    threshold = frame["suppress_below"].to_numpy(dtype=float)

    def small(counts):
        counts = counts.to_numpy(dtype=float)
        return (counts > 0) & (counts < threshold)

    by_records = frame["method"].eq("mean").to_numpy()
    counted = np.where(by_records, small(frame["denominator"]), small(frame["numerator"]))
    complement = frame["suppress_complement"].to_numpy(dtype=bool) & small(frame["denominator"] - frame["numerator"])
    reason = np.where(counted, "primary: count below " + frame["suppress_below"].astype(int).astype(str),
                      np.where(complement, "primary: complement (denominator - numerator) below "
                               + frame["suppress_below"].astype(int).astype(str), None))
    return pd.Series(reason, index=frame.index, dtype="object")


def child_sets(frame):
    """(parent index, child indices) for every set of rows that adds up to a city row."""
    city = frame[(frame["geography_level"] == "city") & (frame["breakdown"] == "persons")]
    parents = dict(zip(zip(city["indicator_id"], city["period"], strict=True), city.index, strict=True))
    children = frame[~frame.index.isin(city.index)]
    set_name = np.where(children["breakdown"] == "persons", children["geography_level"], children["breakdown"])
    for (indicator_id, period, _), rows in children.groupby([children["indicator_id"], children["period"], set_name]):
        parent = parents.get((indicator_id, period))
        if parent is not None:
            yield parent, rows.index


def secondary(frame, reason):
    """Suppress one more child wherever a single suppressed child could be recovered."""
    reason = reason.copy()
    policy = frame["secondary_suppression"].to_numpy(dtype=bool)
    for parent, children in child_sets(frame):
        if not policy[frame.index.get_loc(parent)] or reason[parent] is not None:
            continue
        suppressed = [i for i in children if reason[i] is not None]
        open_children = [i for i in children if reason[i] is None]
        if len(suppressed) == 1 and open_children:
            # the next-smallest child: fewest events, then the smallest denominator
            order = frame.loc[open_children].sort_values(["numerator", "denominator"]).index
            reason[order[0]] = f"secondary: protects {frame.at[suppressed[0], 'area_code']} " \
                               f"{frame.at[suppressed[0], 'breakdown_value']} from subtraction"
    return reason


def disclosure_control(values, catalogue):
    """The publishable rows of ``values`` (int_indicator_values) with ``is_suppressed``, ``suppression_reason``
    and ``published_<measure>`` (the measure, or null when suppressed), by each indicator's catalogue policy."""
    df = values[values["geography_level"].isin(PUBLISHED_LEVELS)].merge(catalogue[["indicator_id", *POLICY]],
                                                                         on="indicator_id")
    df = df.sort_values(KEY).reset_index(drop=True)
    reason = secondary(df, primary(df))
    df["is_suppressed"] = reason.notna()
    df["suppression_reason"] = pd.Series(reason, dtype="string")
    for column in MEASURES:
        df[f"published_{column}"] = df[column].where(~df["is_suppressed"])
    return df.drop(columns=POLICY)
