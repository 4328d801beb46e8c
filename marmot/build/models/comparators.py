"""Comparators of every indicator period from the OHID Fingertips values of the same period: England, the
region (West Midlands), the peer authorities and the spread of all upper-tier authorities (quartiles for a
spine chart). int_indicator_comparators and int_indicator_comparator_quartiles call these.

A catalogue period is matched to the Fingertips "Time period" written the way Fingertips writes it
(``fingertips_period``) and never to another period. Where Fingertips has no England value for a period
(the indicator is not mapped, or Fingertips has not published that period yet), England falls back to the
seeded approximate value (catalogue/england_benchmarks), marked ``is_approximate`` and sourced
``approximate_seed`` wherever it is shown; the region and peers then have no value and are not compared.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

ENGLAND = "E92000001"
FINGERTIPS = "fingertips"
APPROXIMATE = "approximate_seed"
SYNTHETIC_NOTE = "Synthetic demo value"
MEASURES = ["value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]
COLUMNS = ["indicator_id", "period", "fingertips_period", "comparator_kind", "area_code", "area_name", *MEASURES,
           "peers_with_values", "source", "is_approximate", "is_synthetic", "is_mapping_verified",
           "is_peer_list_verified", "fingertips_indicator_id"]
QUARTILES = ["authorities", "authorities_min", "authorities_q1", "authorities_median", "authorities_q3",
             "authorities_max"]


def fingertips_period(period: str) -> str | None:
    """The Fingertips "Time period" of a catalogue period: a calendar year ('2023') and a financial or
    academic year ('2023/24') are written alike; three pooled years '2021-2023' are '2021 - 23'. Other
    periods (months, quarters) have no Fingertips label: None."""
    if re.fullmatch(r"\d{4}(/\d{2})?", period):
        return period
    if pooled := re.fullmatch(r"(\d{4})-(\d{2})(\d{2})", period):
        return f"{pooled[1]} - {pooled[3]}"
    return None


def seed_year(period: str) -> int:
    """The year of england_benchmarks a period's approximate England value is looked up by (pooled: its
    last year, else the year it starts in)."""
    return int(period[5:9] if len(period) == 9 else period[:4])


def _overall(fingertips: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Each mapped indicator's Fingertips rows (its sex and, when set, its age; no category breakdown),
    keyed by catalogue indicator and Fingertips time period."""
    rows = fingertips[fingertips["category_type"].isna()].merge(
        mapping[["indicator_id", "fingertips_indicator_id", "sex", "age", "is_verified"]].rename(
            columns={"age": "mapped_age"}), on=["fingertips_indicator_id", "sex"])
    rows = rows[rows["mapped_age"].isna() | (rows["age"] == rows["mapped_age"])]
    return rows.rename(columns={"time_period": "fingertips_period", "lower_ci_95": "lower_95",
                                "upper_ci_95": "upper_95", "lower_ci_99_8": "lower_99_8",
                                "upper_ci_99_8": "upper_99_8", "is_verified": "is_mapping_verified"})


def _periods(periods: pd.DataFrame) -> pd.DataFrame:
    out = periods[["indicator_id", "period"]].drop_duplicates().copy()
    out["fingertips_period"] = pd.Series([fingertips_period(p) for p in out["period"]], index=out.index,
                                         dtype="string")
    return out


def comparators(periods, mapping, peers, fingertips, england_seed) -> pd.DataFrame:
    """One row per indicator period and comparator: ``england``, ``region`` (peer_group role 'region'),
    each ``peer`` and the ``peer_median`` (median of the peers' values of that period, with how many had
    one), from Fingertips rows of the same period; England from the approximate seed where Fingertips has
    none."""
    wanted = _periods(periods)
    rows = wanted.merge(_overall(fingertips, mapping), on=["indicator_id", "fingertips_period"])
    rows["source"] = FINGERTIPS
    rows["is_approximate"] = False
    rows["is_synthetic"] = rows["value_note"].eq(SYNTHETIC_NOTE).fillna(False)
    roles = peers.set_index("area_code")["role"]
    rows["comparator_kind"] = np.where(rows["area_code"] == ENGLAND, "england", rows["area_code"].map(roles))
    rows = rows[rows["comparator_kind"].isin(["england", "region", "peer"])]
    peer_rows = rows[rows["comparator_kind"] == "peer"]
    median = peer_rows.groupby(["indicator_id", "period"], as_index=False).agg(
        fingertips_period=("fingertips_period", "first"), value=("value", "median"),
        peers_with_values=("value", "count"), is_synthetic=("is_synthetic", "any"),
        is_mapping_verified=("is_mapping_verified", "all"),
        fingertips_indicator_id=("fingertips_indicator_id", "first"))
    median = median.assign(comparator_kind="peer_median", area_code=None, area_name="Peer authorities (median)",
                           source=FINGERTIPS, is_approximate=False)
    found = rows[rows["comparator_kind"] == "england"][["indicator_id", "period"]]
    missing = wanted.merge(found, how="left", indicator=True).query("_merge == 'left_only'").drop(columns="_merge")
    missing["year"] = [seed_year(p) for p in missing["period"]]
    approximate = missing.merge(england_seed[["indicator_id", "year", "england_value"]], on=["indicator_id", "year"])
    approximate = approximate.rename(columns={"england_value": "value"}).assign(
        comparator_kind="england", area_code=ENGLAND, area_name="England (approximate)", source=APPROXIMATE,
        is_approximate=True, is_synthetic=False)
    approximate = approximate.merge(mapping[["indicator_id", "is_verified", "fingertips_indicator_id"]].rename(
        columns={"is_verified": "is_mapping_verified"}), on="indicator_id", how="left")
    out = pd.concat([rows, median, approximate], ignore_index=True).reindex(columns=COLUMNS)
    # the peers are a reference list: a peer or their median says whether every peer on it was confirmed
    listed = peers[peers["role"] == "peer"]
    confirmed = bool("is_verified" in listed and listed["is_verified"].astype(bool).all())
    out["is_peer_list_verified"] = out["comparator_kind"].isin(["peer", "peer_median"]).map({True: confirmed,
                                                                                          False: pd.NA})
    out = out.astype({**{c: float for c in MEASURES}, "peers_with_values": "Int64", "is_approximate": bool,
                      "is_synthetic": bool, "is_mapping_verified": "boolean", "is_peer_list_verified": "boolean",
                      "fingertips_indicator_id": "Int64",
                      **{c: "string" for c in ["fingertips_period", "comparator_kind", "area_code", "area_name",
                                               "source"]}})
    return out.sort_values(["indicator_id", "period", "comparator_kind", "area_code"]).reset_index(drop=True)


def quartiles(periods, mapping, fingertips) -> pd.DataFrame:
    """The spread of all upper-tier authorities' values of each indicator period (England and the
    regions left out): how many had a value, minimum, quartiles (linear interpolation between order
    statistics) and maximum, for a spine chart."""
    rows = _periods(periods).merge(_overall(fingertips, mapping), on=["indicator_id", "fingertips_period"])
    rows = rows[(rows["area_code"] != ENGLAND) & (rows["area_type"] != "Region") & rows["value"].notna()]
    grouped = rows.groupby(["indicator_id", "period", "fingertips_period"])["value"]
    out = grouped.agg(authorities="count", authorities_min="min", authorities_max="max").reset_index()
    for name, q in [("authorities_q1", 0.25), ("authorities_median", 0.5), ("authorities_q3", 0.75)]:
        out[name] = grouped.quantile(q).to_numpy()
    out["is_synthetic"] = rows.groupby(["indicator_id", "period", "fingertips_period"])["value_note"].agg(
        lambda notes: bool((notes == SYNTHETIC_NOTE).any())).to_numpy()
    return out.reindex(columns=["indicator_id", "period", "fingertips_period", *QUARTILES, "is_synthetic"]).astype(
        {"fingertips_period": "string", "authorities": int})
