"""Comparators from Fingertips values of the same period (marmot.build.models.comparators) on small frames with
known answers: the period labels, England/region/peers of the same period, the approximate fallback, quartiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from marmot.build.models.comparators import comparators, fingertips_period, quartiles


@pytest.mark.parametrize(("period", "label"), [
    ("2023", "2023"),             # calendar year
    ("2023/24", "2023/24"),       # financial or academic year
    ("2021-2023", "2021 - 23"),   # three pooled calendar years
    ("1999-2001", "1999 - 01"),
    ("2025-04", None),            # a month has no Fingertips label
    ("2025-Q1", None),
])
def test_catalogue_periods_are_written_as_fingertips_writes_them(period, label):
    assert fingertips_period(period) == label


MAPPING = pd.DataFrame({"indicator_id": ["le", "sr"], "fingertips_indicator_id": [90366, 90631],
                        "sex": ["Male", "Persons"], "age": [None, None], "is_verified": [True, False]})
PEERS = pd.DataFrame({"area_code": ["E08000026", "E12000005", "P1", "P2", "P3"],
                      "role": ["subject", "region", "peer", "peer", "peer"]})
SEED = pd.DataFrame({"indicator_id": ["le", "le", "sr"], "year": [2023, 2024, 2024],
                     "england_value": [79.0, 79.0, 67.7]})


def _ft(fid, sex, period, area, value, area_type="UTLA", note="", category=None):
    return {"fingertips_indicator_id": fid, "sex": sex, "age": "All ages", "time_period": period,
            "area_code": area, "area_name": area, "area_type": area_type, "category_type": category,
            "value": value, "lower_ci_95": value - 0.5, "upper_ci_95": value + 0.5, "lower_ci_99_8": value - 0.8,
            "upper_ci_99_8": value + 0.8, "value_note": note}


FINGERTIPS = pd.DataFrame([
    _ft(90366, "Male", "2020 - 22", "E92000001", 79.3, "England"),
    _ft(90366, "Male", "2021 - 23", "E92000001", 79.1, "England", note="Synthetic demo value"),
    _ft(90366, "Female", "2021 - 23", "E92000001", 83.0, "England"),          # the other sex: not used
    _ft(90366, "Male", "2021 - 23", "E12000005", 78.2, "Region"),
    _ft(90366, "Male", "2021 - 23", "E12000005", 70.0, "Region", category="Deprivation deciles"),  # a breakdown
    _ft(90366, "Male", "2021 - 23", "P1", 77.0), _ft(90366, "Male", "2021 - 23", "P2", 78.0),
    _ft(90366, "Male", "2021 - 23", "P3", np.nan),
    _ft(90366, "Male", "2021 - 23", "X9", 81.0),                                 # neither region nor peer
])
PERIODS = pd.DataFrame({"indicator_id": ["le", "le", "sr"], "period": ["2021-2023", "2022-2024", "2024/25"]})


def _by_kind(out, indicator, period):
    rows = out[(out["indicator_id"] == indicator) & (out["period"] == period)]
    return {(r.comparator_kind, r.area_code if isinstance(r.area_code, str) else None): r
            for r in rows.itertuples(index=False)}


def test_every_comparator_is_of_the_same_period_and_sex():
    out = comparators(PERIODS, MAPPING, PEERS, FINGERTIPS, SEED)
    got = _by_kind(out, "le", "2021-2023")
    assert set(got) == {("england", "E92000001"), ("region", "E12000005"), ("peer", "P1"), ("peer", "P2"),
                        ("peer", "P3"), ("peer_median", None)}
    england = got[("england", "E92000001")]
    assert (england.value, england.fingertips_period, england.source) == (79.1, "2021 - 23", "fingertips")
    assert england.is_synthetic and not england.is_approximate and england.is_mapping_verified
    assert (england.lower_95, england.upper_99_8) == pytest.approx((78.6, 79.9))
    assert got[("region", "E12000005")].value == 78.2  # the overall row, not the deprivation breakdown
    median = got[("peer_median", None)]
    assert (median.value, median.peers_with_values) == (77.5, 2)


def test_a_period_fingertips_has_not_published_falls_back_to_the_approximate_england_value_only():
    """2022-2024 has no Fingertips rows: England is the seed's 2024 value, labelled approximate, never the
    Fingertips value of 2021-23; the region and peers have none. An unmapped period type does the same."""
    out = comparators(PERIODS, MAPPING, PEERS, FINGERTIPS, SEED)
    got = _by_kind(out, "le", "2022-2024")
    assert set(got) == {("england", "E92000001")}
    england = got[("england", "E92000001")]
    assert (england.value, england.source, england.is_approximate) == (79.0, "approximate_seed", True)
    sr = _by_kind(out, "sr", "2024/25")
    assert sr[("england", "E92000001")].value == 67.7 and sr[("england", "E92000001")].is_approximate
    assert not sr[("england", "E92000001")].is_mapping_verified


def test_quartiles_of_all_authorities_leave_out_england_and_regions():
    rows = [_ft(90366, "Male", "2021 - 23", f"A{i}", float(v)) for i, v in enumerate([70, 72, 74, 76, 78])]
    out = quartiles(PERIODS, MAPPING, pd.concat([FINGERTIPS.iloc[:4], pd.DataFrame(rows)], ignore_index=True))
    [row] = out.itertuples(index=False)
    assert (row.indicator_id, row.period, row.fingertips_period, row.authorities) == ("le", "2021-2023", "2021 - 23", 5)
    assert (row.authorities_min, row.authorities_q1, row.authorities_median, row.authorities_q3,
            row.authorities_max) == (70, 72, 74, 76, 78)


def test_peers_say_whether_their_list_was_confirmed():
    """A peer and the peer median carry the peer list's state (published as "Peer list not confirmed" when any
    authority on it is unconfirmed); England and the region carry none."""
    for flags, confirmed in (([True, True, True], True), ([True, False, True], False)):
        peers = PEERS.assign(is_verified=[True, True, *flags])
        got = _by_kind(comparators(PERIODS, MAPPING, peers, FINGERTIPS, SEED), "le", "2021-2023")
        assert {k: r.is_peer_list_verified for k, r in got.items() if k[0] in ("peer", "peer_median")} == {
            ("peer", "P1"): confirmed, ("peer", "P2"): confirmed, ("peer", "P3"): confirmed,
            ("peer_median", None): confirmed}
        assert got[("england", "E92000001")].is_peer_list_verified is pd.NA
        assert got[("region", "E12000005")].is_peer_list_verified is pd.NA
