"""Disclosure control: an attacker who subtracts published cells from a published total
(wards from the city, quintiles from the city, sexes and ethnic groups from persons) must not
recover any suppressed cell. The same attack is shown to work without secondary suppression."""

from __future__ import annotations

import pandas as pd

SETS = ["ward", "imd_quintile", "sex", "ethnicity"]


def _cells(values: pd.DataFrame, breakdowns: pd.DataFrame) -> pd.DataFrame:
    """All published cells with the set they belong to ('city' for the totals)."""
    areas = values.assign(set=values["geography_level"])
    groups = breakdowns.assign(set=breakdowns["breakdown"])
    return pd.concat([areas, groups], ignore_index=True)[
        ["indicator_id", "period", "set", "numerator", "denominator", "raw_numerator"]]


def attack(cells: pd.DataFrame) -> list[dict]:
    """Cells recovered by subtraction: total minus published children, when one child is withheld."""
    totals = cells[cells["set"] == "city"].set_index(["indicator_id", "period"])
    recovered = []
    for (indicator_id, period, name), children in cells[cells["set"].isin(SETS)].groupby(
            ["indicator_id", "period", "set"]):
        total = totals.loc[(indicator_id, period)]
        withheld = children[children["numerator"].isna()]
        if pd.isna(total["numerator"]) or len(withheld) != 1:
            continue
        guess = total["numerator"] - children["numerator"].sum()
        recovered.append({"indicator_id": indicator_id, "period": period, "set": name, "guess": guess,
                          "truth": withheld["raw_numerator"].iloc[0]})
    return recovered


def _published(warehouse) -> pd.DataFrame:
    """Published cells joined to the raw numerators (to check what an attack would reveal)."""
    values = warehouse.sql("""
        select m.indicator_id, m.period, m.geography_level, 'persons' as breakdown, m.numerator, m.denominator,
               raw.numerator as raw_numerator, raw.suppression_reason
        from marts.mart_indicator_values as m
        join intermediate.int_indicator_values__disclosure_controlled as raw
          using (indicator_id, period, geography_level, area_code)
        where raw.breakdown = 'persons'""").df()
    breakdowns = warehouse.sql("""
        select m.indicator_id, m.period, 'city' as geography_level, m.breakdown, m.numerator, m.denominator,
               raw.numerator as raw_numerator, raw.suppression_reason
        from marts.mart_indicator_breakdowns as m
        join intermediate.int_indicator_values__disclosure_controlled as raw
          using (indicator_id, period, breakdown, breakdown_value)
        where raw.geography_level = 'city'""").df()
    return values, breakdowns


def test_no_suppressed_cell_can_be_recovered_by_subtraction(warehouse):
    values, breakdowns = _published(warehouse)
    cells = _cells(values, breakdowns)
    withheld = cells[cells["set"].isin(SETS) & cells["numerator"].isna()]
    assert len(withheld) > 100, "the synthetic data must produce suppressed cells for the attack to mean anything"
    assert attack(cells) == []
    # suppressed rows publish no numbers at all
    for frame in (values, breakdowns):
        suppressed = frame[frame["suppression_reason"].notna()]
        assert suppressed["numerator"].isna().all() and suppressed["denominator"].isna().all()


def test_the_attack_recovers_cells_under_primary_suppression_only(warehouse):
    values, breakdowns = _published(warehouse)
    for frame in (values, breakdowns):
        secondary = frame["suppression_reason"].fillna("").str.startswith("secondary")
        frame.loc[secondary, "numerator"] = frame.loc[secondary, "raw_numerator"]
    recovered = attack(_cells(values, breakdowns))
    assert recovered, "without secondary suppression some cells must be recoverable"
    assert all(abs(r["guess"] - r["truth"]) < 1e-6 for r in recovered)
