"""int_indicator_values__disclosure_controlled (marmot.build.models.disclosure): primary and
secondary suppression on a city total and its wards, with known answers."""

from __future__ import annotations

import pandas as pd

from marmot.build.models.disclosure import disclosure_control


def _values(*cells: tuple[str, str, float, float]) -> pd.DataFrame:
    """(geography_level, area_code, numerator, denominator) cells of one indicator and period."""
    return pd.DataFrame([
        {"indicator_id": "ind", "period": "2024", "geography_level": level, "area_code": code, "area_name": code,
         "breakdown": "persons", "breakdown_value": "Persons", "numerator": x, "denominator": n,
         "value": 100 * x / n, "lower_95": 0.0, "upper_95": 100.0} for level, code, x, n in cells])


def _catalogue(method="wilson", suppress_below=5, complement=False, secondary=True) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": "ind", "method": method, "suppress_below": suppress_below,
                          "suppress_complement": complement, "secondary_suppression": secondary}])


CITY_AND_WARDS = [("city", "E08000026", 42, 300), ("ward", "W1", 2, 100), ("ward", "W2", 25, 100),
                  ("ward", "W3", 15, 100), ("local_imd_decile", "D1", 1, 30)]


def _reasons(out: pd.DataFrame) -> dict[str, str | None]:
    return {row.area_code: (None if pd.isna(row.suppression_reason) else row.suppression_reason)
            for row in out.itertuples(index=False)}


def test_a_small_ward_and_the_next_smallest_are_suppressed_and_lose_their_numbers():
    out = disclosure_control(_values(*CITY_AND_WARDS), _catalogue())
    # deciles are not published; W1 (2 < 5) is suppressed, and W3 (fewest events left) so that
    # W1 cannot be recovered as city minus the other wards
    assert _reasons(out) == {"E08000026": None, "W1": "primary: count below 5",
                             "W2": None, "W3": "secondary: protects W1 Persons from subtraction"}
    suppressed = out[out["is_suppressed"]]
    published = ["published_numerator", "published_denominator", "published_value", "published_lower_95",
                 "published_upper_95"]
    assert suppressed[published].isna().all().all()
    assert suppressed["numerator"].tolist() == [2, 15]  # the raw values stay alongside
    assert out.loc[~out["is_suppressed"], published].notna().all().all()
    assert not {"method", "suppress_below", "suppress_complement", "secondary_suppression"} & set(out.columns)


def test_without_secondary_suppression_only_the_small_count_goes():
    out = disclosure_control(_values(*CITY_AND_WARDS), _catalogue(secondary=False))
    assert [code for code, reason in _reasons(out).items() if reason] == ["W1"]


def test_a_small_complement_and_a_small_number_of_records():
    cells = [("city", "E08000026", 392, 400), ("ward", "W1", 98, 100), ("ward", "W2", 99, 100),
             ("ward", "W3", 100, 100), ("ward", "W4", 95, 100)]
    complement = _reasons(disclosure_control(_values(*cells), _catalogue(complement=True, secondary=False)))
    # complements of 2 and 1 are below 5; 0 is no count and 5 is not below 5
    small = "primary: complement (denominator - numerator) below 5"
    assert complement == {"E08000026": None, "W1": small, "W2": small, "W3": None, "W4": None}
    # means count records (the denominator), not the numerator
    means = _reasons(disclosure_control(
        _values(("city", "E08000026", 1, 300), ("ward", "W1", 500, 4), ("ward", "W2", 500, 5)),
        _catalogue(method="mean", secondary=False)))
    assert means == {"E08000026": None, "W1": "primary: count below 5", "W2": None}
