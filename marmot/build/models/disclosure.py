"""Disclosure control of every publishable indicator row (city, wards, IMD quintiles; city by
sex and by ethnic group), by each indicator's policy in the catalogue
(int_indicator_values__disclosure_controlled).

Protected counts: the numerator (for means the number of records, the denominator) and, where
the policy says, the complement (denominator - numerator). Counts are additive: the wards, the
quintiles, the sexes and the ethnic groups each add up to the city (persons) row, in every
protected count. No published total pools published cells over periods (pooled indicators
publish only their pooled windows), so these sets are the only hierarchy.

Primary suppression: a protected count from 1 to ``suppress_below`` - 1. Zero is published.
Secondary suppression, per set under a published city row: an attacker knows the city, the
published children and that hidden counts are not negative, so each hidden count lies between
0 and the hidden total of its set. Further children are hidden, the smallest non-zero count
first, until the set has at least two hidden children and in every protected count the hidden
total is at least the threshold plus one per hidden child beyond the first: then every hidden
count keeps at least ``suppress_below`` possible values even for an attacker who knows hidden
counts are never zero (zeros are published, so a hidden cell is a non-zero one). A hidden zero adds
nothing to the hidden total, so zeros are not chosen. When every non-zero child is hidden and the
set is still short (a city of 5 made of five wards of 1: each hidden ward would be 1), the whole
set is hidden, zeros included: an attacker then knows only that at least ``total - threshold + 2``
children are non-zero, so each hidden child is somewhere in 0 to ``threshold - 1``. Under a
suppressed city every child's total is unknown. Children belong to one set each, so one pass is
enough.

Published rows say only that they were suppressed (``SUPPRESSION_REASON``): which kind of
suppression a cell had would tell an attacker that a primary cell is 1 to threshold - 1 and a
secondary one is not, which is enough to solve the set. ``suppression_kind`` (primary or
secondary) stays in the intermediate model for audit and never reaches a mart. Keeps the raw
and the published values side by side (only published values reach marts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["indicator_id", "period", "geography_level", "area_code", "breakdown", "breakdown_value"]
PUBLISHED_LEVELS = ["city", "ward", "imd_quintile"]
MEASURES = ["numerator", "denominator", "value", "lower_95", "upper_95", "lower_998", "upper_998"]
POLICY = ["method", "suppress_below", "suppress_complement", "secondary_suppression"]
SUPPRESSION_REASON = "suppressed to protect small numbers"


def protected_counts(frame):
    """The counts disclosure control protects, one column each: ``count`` (records for means, else the
    numerator) and ``complement`` (denominator - numerator where the policy protects it, else null)."""
    by_records = frame["method"].eq("mean")
    complement = (frame["denominator"] - frame["numerator"]).where(frame["suppress_complement"].astype(bool))
    return pd.DataFrame({"count": frame["denominator"].where(by_records, frame["numerator"]),
                         "complement": complement}, index=frame.index).astype(float)


def primary(frame, counts):
    """True where a protected count is from 1 to the threshold - 1."""
    threshold = frame["suppress_below"].to_numpy(dtype=float)[:, None]
    values = counts.to_numpy()
    return pd.Series(((values > 0) & (values < threshold)).any(axis=1), index=frame.index)


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


def _short_counts(counts, hidden, threshold):
    """The protected counts whose hidden total leaves a hidden cell fewer than ``threshold`` possible values."""
    totals = counts.loc[hidden].sum(min_count=1)
    return [name for name, total in totals.items() if pd.notna(total) and total - (len(hidden) - 1) < threshold]


def secondary(frame, counts, hidden):
    """Hide the smallest non-zero children of every set with hidden children until each hidden count is protected."""
    hidden = hidden.copy()
    policy = frame["secondary_suppression"].to_numpy(dtype=bool)
    for parent, children in child_sets(frame):
        if not policy[frame.index.get_loc(parent)] or hidden[parent] or not hidden[children].any():
            continue
        threshold = frame.at[parent, "suppress_below"]
        while True:
            chosen = children[hidden[children].to_numpy()]
            short = _short_counts(counts, chosen, threshold) or (["count"] if len(chosen) < 2 else [])
            open_rows = children[~hidden[children].to_numpy()]
            candidates = [counts.loc[open_rows, name][lambda c: c > 0] for name in short]
            candidates = [c for c in candidates if not c.empty]
            if not candidates:
                if short:  # every non-zero child is hidden and still too few: hide the whole set
                    hidden[children] = True
                break
            smallest = frame.loc[candidates[0].index].assign(_c=candidates[0]).sort_values(["_c", "denominator"])
            hidden[smallest.index[0]] = True
    return hidden


def disclosure_control(values, catalogue):
    """The publishable rows of ``values`` (int_indicator_values) with ``is_suppressed``, ``suppression_reason``
    (the one neutral wording), ``suppression_kind`` (primary or secondary, not for publication) and
    ``published_<measure>`` (the measure, or null when suppressed), by each indicator's catalogue policy."""
    df = values[values["geography_level"].isin(PUBLISHED_LEVELS)].merge(catalogue[["indicator_id", *POLICY]],
                                                                         on="indicator_id")
    df = df.sort_values(KEY).reset_index(drop=True)
    counts = protected_counts(df)
    first = primary(df, counts)
    hidden = secondary(df, counts, first)
    df["is_suppressed"] = hidden
    df["suppression_reason"] = pd.Series(np.where(hidden, SUPPRESSION_REASON, None), dtype="string")
    df["suppression_kind"] = pd.Series(np.where(first, "primary", np.where(hidden, "secondary", None)),
                                       dtype="string")
    for column in MEASURES:
        df[f"published_{column}"] = df[column].where(~df["is_suppressed"])
    return df.drop(columns=POLICY)
