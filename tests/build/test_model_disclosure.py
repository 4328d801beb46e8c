"""int_indicator_values__disclosure_controlled (marmot.build.models.disclosure): primary and
secondary suppression on a city total and its wards, with known answers (the attack on whole
sets is tests/build/test_disclosure_control.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from marmot.build.models.disclosure import SUPPRESSION_REASON, disclosure_control


def _values(*cells: tuple[str, str, float, float]) -> pd.DataFrame:
    """(geography_level, area_code, numerator, denominator) cells of one indicator and period."""
    return pd.DataFrame([
        {"indicator_id": "ind", "period": "2024", "geography_level": level, "area_code": code, "area_name": code,
         "breakdown": "persons", "breakdown_value": "Persons", "numerator": x, "denominator": n,
         "value": 100 * x / n, "lower_95": 0.0, "upper_95": 100.0, "lower_998": 0.0, "upper_998": 100.0}
        for level, code, x, n in cells])


def _catalogue(method="wilson", suppress_below=5, complement=False, secondary=True) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": "ind", "method": method, "suppress_below": suppress_below,
                          "suppress_complement": complement, "secondary_suppression": secondary}])


CITY_AND_WARDS = [("city", "E08000026", 42, 300), ("ward", "W1", 2, 100), ("ward", "W2", 25, 100),
                  ("ward", "W3", 15, 100), ("local_imd_decile", "D1", 1, 30)]


def _kinds(out: pd.DataFrame) -> dict[str, str | None]:
    """Area code: primary, secondary or None (published), after checking the published reason is the neutral one."""
    assert (out["suppression_reason"].isna() | (out["suppression_reason"] == SUPPRESSION_REASON)).all()
    assert out["suppression_reason"].notna().eq(out["is_suppressed"]).all()
    return {row.area_code: (None if pd.isna(row.suppression_kind) else row.suppression_kind)
            for row in out.itertuples(index=False)}


def test_a_small_ward_and_the_next_smallest_are_suppressed_and_lose_their_numbers():
    out = disclosure_control(_values(*CITY_AND_WARDS), _catalogue())
    # deciles are not published; W1 (2 < 5) is suppressed, and W3 (fewest events left) so that
    # W1 cannot be recovered as city minus the other wards
    assert _kinds(out) == {"E08000026": None, "W1": "primary", "W2": None, "W3": "secondary"}
    suppressed = out[out["is_suppressed"]]
    published = ["published_numerator", "published_denominator", "published_value", "published_lower_95",
                 "published_upper_95", "published_lower_998", "published_upper_998"]
    assert suppressed[published].isna().all().all()
    assert suppressed["numerator"].tolist() == [2, 15]  # the raw values stay alongside
    assert out.loc[~out["is_suppressed"], published].notna().all().all()
    assert not {"method", "suppress_below", "suppress_complement", "secondary_suppression"} & set(out.columns)


def test_without_secondary_suppression_only_the_small_count_goes():
    out = disclosure_control(_values(*CITY_AND_WARDS), _catalogue(secondary=False))
    assert [code for code, kind in _kinds(out).items() if kind] == ["W1"]


def test_a_small_complement_and_a_small_number_of_records():
    cells = [("city", "E08000026", 392, 400), ("ward", "W1", 98, 100), ("ward", "W2", 99, 100),
             ("ward", "W3", 100, 100), ("ward", "W4", 95, 100)]
    complement = _kinds(disclosure_control(_values(*cells), _catalogue(complement=True, secondary=False)))
    # complements of 2 and 1 are below 5; 0 is no count and 5 is not below 5
    assert complement == {"E08000026": None, "W1": "primary", "W2": "primary", "W3": None, "W4": None}
    # means count records (the denominator), not the numerator
    means = _kinds(disclosure_control(
        _values(("city", "E08000026", 1, 300), ("ward", "W1", 500, 4), ("ward", "W2", 500, 5)),
        _catalogue(method="mean", secondary=False)))
    assert means == {"E08000026": None, "W1": "primary", "W2": None}


@pytest.mark.parametrize(("cells", "complement", "kinds"), [
    # issue 17: a zero beside the small ward protects nothing (it was chosen, so W4 = city - the rest);
    # the smallest non-zero ward goes instead
    ([("city", "C", 38, 400), ("ward", "W1", 19, 80), ("ward", "W2", 8, 80), ("ward", "W3", 9, 80),
      ("ward", "W4", 2, 80), ("ward", "W5", 0, 80)], False,
     {"C": None, "W1": None, "W2": "secondary", "W3": None, "W4": "primary", "W5": None}),
    # four small wards add up to 5, so each would be 1 or 2: one more ward is hidden
    ([("city", "C", 25, 400), ("ward", "W1", 1, 80), ("ward", "W2", 1, 80), ("ward", "W3", 1, 80),
      ("ward", "W4", 2, 80), ("ward", "W5", 20, 80)], False,
     {"C": None, "W1": "primary", "W2": "primary", "W3": "primary", "W4": "primary", "W5": "secondary"}),
    # small complements (2 and 3): the ward with the smallest complement protects them (W4, 10), not the one with
    # the fewest events (W2)
    ([("city", "C", 335, 400), ("ward", "W1", 98, 100), ("ward", "W2", 50, 100), ("ward", "W3", 97, 100),
      ("ward", "W4", 90, 100)], True,
     {"C": None, "W1": "primary", "W2": None, "W3": "primary", "W4": "secondary"}),
    # every non-zero ward is already hidden and they add up to 5: with the zero published, an attacker knows the
    # four hidden wards are non-zero, so each is 1 or 2; the whole set is hidden, the zero too
    ([("city", "C", 5, 400), ("ward", "W1", 1, 80), ("ward", "W2", 1, 80), ("ward", "W3", 1, 80),
      ("ward", "W4", 2, 80), ("ward", "W5", 0, 80)], False,
     {"C": None, "W1": "primary", "W2": "primary", "W3": "primary", "W4": "primary", "W5": "secondary"}),
])
def test_secondary_suppression_hides_the_smallest_non_zero_cells_until_the_hidden_total_protects(
        cells, complement, kinds):
    assert _kinds(disclosure_control(_values(*cells), _catalogue(complement=complement))) == kinds
