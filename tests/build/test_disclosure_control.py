"""Disclosure control against an attacker who solves the published sets.

The attacker knows every published count, that the wards, the quintiles, the sexes and the ethnic
groups each add up to the city, the catalogue's policy (threshold, which counts are protected),
that hidden counts are non-negative integers, and whatever a published suppression reason says
(a primary reason: 1 to threshold - 1; a secondary one: not that). The attacker also knows the
rule's one exception to "zeros are published": only a set hidden whole can hide a zero, so in a set
with a published child every hidden cell is non-zero (in the protected count, where the indicator
protects one count; with the complement protected too, a hidden cell may be zero in one of them).
For each indicator and period the attacker computes every value each hidden count can take
consistently with all of that, exactly (integer interval arithmetic: each set adds up to the city,
and the sets share only the city).
A primary cell must keep at least ``threshold`` possible values in each protected count (numerator,
or records for means; the complement where the policy protects it): never pinned, never narrowed
below "somewhere in 1 to threshold - 1". A suppressed city is known to be small whenever its
indicator protects a single count: the city is only ever suppressed for its own small count.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from marmot.build.models.disclosure import SUPPRESSION_REASON, disclosure_control

INF = math.inf
ANY = [(0, INF)]


def _merge(intervals):
    """Union of integer intervals [lo, hi], sorted, adjacent ones joined, negatives cut off."""
    out: list[list[float]] = []
    for lo, hi in sorted((max(lo, 0), hi) for lo, hi in intervals if hi >= max(lo, 0)):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [tuple(i) for i in out]


def _plus(a, b):
    return _merge((x_lo + y_lo, x_hi + y_hi) for x_lo, x_hi in a for y_lo, y_hi in b)


def _minus(a, b):
    return _merge((x_lo - y_hi, x_hi - y_lo) for x_lo, x_hi in a for y_lo, y_hi in b)


def _and(a, b):
    return _merge((max(x_lo, y_lo), min(x_hi, y_hi)) for x_lo, x_hi in a for y_lo, y_hi in b)


def _sum(domains):
    total = [(0, 0)]
    for domain in domains:
        total = _plus(total, domain)
    return total


def told(reason, count, threshold):
    """What a published suppression reason says about one protected count of a hidden cell."""
    small, not_small = [(1, threshold - 1)], [(0, 0), (threshold, INF)]
    if reason.startswith("primary"):
        return small if ("complement" in reason) == (count == "complement") else ANY
    return not_small if reason.startswith("secondary") else ANY


def counts(cells: pd.DataFrame) -> dict[str, pd.Series]:
    """The protected counts of published cells: records for means else the numerator; the complement by policy."""
    out = {"count": cells["denominator"].where(cells["method"] == "mean", cells["numerator"])}
    if cells["suppress_complement"].all():
        out["complement"] = cells["denominator"] - cells["numerator"]
    return out


def solve(cells: pd.DataFrame) -> list[dict]:
    """Every hidden cell of one indicator and period with the values each protected count can take."""
    threshold = int(cells["suppress_below"].iloc[0])
    city = cells[cells["set"] == "city"].iloc[0]
    children = cells[cells["set"] != "city"]
    solved = []
    for name, count in counts(cells).items():
        domain = {i: told(r, name, threshold) for i, r in cells["suppression_reason"].dropna().items()}
        if city["is_suppressed"]:
            root = _and(domain[city.name], [(1, threshold - 1)] if len(counts(cells)) == 1 else ANY)
        else:
            root = [(count[city.name], count[city.name])]
        sets = [(rows[~rows["is_suppressed"]].index, rows[rows["is_suppressed"]].index)
                for _, rows in children.groupby("set")]
        if len(counts(cells)) == 1:
            for shown, hidden in sets:
                if len(shown):  # a set with a published child hides no zero
                    domain.update({i: _and(domain.get(i, ANY), [(1, INF)]) for i in hidden})
        for shown, hidden in sets:  # the city must agree with every set
            root = _and(root, _plus(_sum(domain[i] for i in hidden), [(count[shown].sum(),) * 2]))
        if city["is_suppressed"]:
            solved.append({"cell": city.name, "count": name, "values": root})
        for shown, hidden in sets:
            for i in hidden:
                others = _sum(domain[j] for j in hidden if j != i)
                rest = _minus(_minus(root, [(count[shown].sum(),) * 2]), others)
                solved.append({"cell": i, "count": name, "values": _and(domain[i], rest)})
    return solved


def attack(cells: pd.DataFrame) -> list[dict]:
    """Primary cells an attacker pins down or narrows to fewer than ``threshold`` values in a protected count."""
    found = []
    for (indicator_id, period), group in cells.groupby(["indicator_id", "period"]):
        if not group["is_suppressed"].any() or (group["set"] == "city").sum() != 1:
            continue
        threshold = group["suppress_below"].iloc[0]
        for s in solve(group):
            row = group.loc[s["cell"]]
            assert s["values"], f"no value of {row['label']} fits the published {indicator_id} {period}"
            lo, hi = s["values"][0][0], s["values"][-1][1]
            if row["is_primary"] and hi - lo + 1 < threshold:
                found.append({"indicator_id": indicator_id, "period": period, "set": row["set"], "cell": row["label"],
                              "count": s["count"], "values": s["values"]})
    return found


def _published_cells(warehouse) -> pd.DataFrame:
    """Published cells (marts) with the catalogue's policy, and whether each was a primary cell (for the check)."""
    return warehouse.sql("""
        with raw as (select * from intermediate.int_indicator_values__disclosure_controlled),
        cells as (
            select m.indicator_id, m.period, m.geography_level as set, m.area_code as label, m.numerator,
                   m.denominator, m.is_suppressed, m.suppression_reason, raw.suppression_kind = 'primary' as is_primary
            from marts.mart_indicator_values as m
            join raw using (indicator_id, period, geography_level, area_code)
            where raw.breakdown = 'persons'
            union all
            select m.indicator_id, m.period, m.breakdown, m.breakdown_value, m.numerator, m.denominator,
                   m.is_suppressed, m.suppression_reason, raw.suppression_kind = 'primary'
            from marts.mart_indicator_breakdowns as m
            join raw using (indicator_id, period, breakdown, breakdown_value)
            where raw.geography_level = 'city')
        select cells.*, cat.method, cat.suppress_below, cat.suppress_complement
        from cells join reference.indicator_catalogue as cat using (indicator_id)
        where cat.suppress_below > 0""").df()


def test_no_primary_cell_of_the_published_marts_can_be_narrowed(warehouse):
    cells = _published_cells(warehouse)
    assert cells["is_primary"].sum() > 100, "the synthetic data must give primary cells for the attack to mean anything"
    assert attack(cells) == []
    # the solver needs no period hierarchy: no indicator publishes both pooled windows and the single years in them
    pooled = cells["period"].str.fullmatch(r"\d{4}-\d{4}")
    assert pooled.groupby(cells["indicator_id"]).nunique().eq(1).all()


def test_published_rows_say_only_that_they_were_suppressed_and_publish_no_numbers(warehouse):
    cells = _published_cells(warehouse)
    suppressed = cells[cells["is_suppressed"]]
    assert set(suppressed["suppression_reason"]) == {SUPPRESSION_REASON}
    assert cells.loc[~cells["is_suppressed"], "suppression_reason"].isna().all()
    assert suppressed["numerator"].isna().all() and suppressed["denominator"].isna().all()


def _hand_made(breakdown: str, cells: dict[str, tuple[int, int]], suppress_complement: bool = True) -> pd.DataFrame:
    """Published cells of one indicator and period from (numerator, denominator) per cell ('city' the total)."""
    rows = []
    for label, (x, n) in cells.items():
        level = "city" if label == "city" or breakdown != "persons" else "imd_quintile"
        rows.append({"indicator_id": "ind", "period": "2022", "geography_level": level, "area_code": label,
                     "area_name": label, "breakdown": "persons" if label == "city" else breakdown,
                     "breakdown_value": "Persons" if label == "city" else label, "numerator": float(x),
                     "denominator": float(n), "value": 100 * x / n, "lower_95": 0.0, "upper_95": 100.0,
                     "lower_998": 0.0, "upper_998": 100.0})
    catalogue = pd.DataFrame([{"indicator_id": "ind", "method": "wilson", "suppress_below": 5,
                               "suppress_complement": suppress_complement, "secondary_suppression": True}])
    out = disclosure_control(pd.DataFrame(rows), catalogue).merge(catalogue, on="indicator_id")
    return out.assign(set=out["breakdown"].where(out["breakdown"] != "persons", out["geography_level"]),
                      label=out["area_code"].where(out["breakdown"] == "persons", out["breakdown_value"]),
                      numerator=out["published_numerator"], denominator=out["published_denominator"],
                      is_primary=out["suppression_kind"] == "primary")


@pytest.mark.parametrize(("breakdown", "cells"), [
    # issue 17: Q4 (3) is primary; a hidden zero Q5 with a "secondary" reason gave Q5 = 0 and Q4 = 3
    ("persons", {"city": (38, 400), "Q1": (19, 80), "Q2": (8, 80), "Q3": (8, 80), "Q4": (3, 80), "Q5": (0, 80)}),
    # two primary groups told 1 to 4 that add up to 4: each is 1 to 3
    ("ethnicity", {"city": (64, 400), "White": (40, 200), "Asian": (20, 100), "Black": (3, 50), "Mixed": (1, 50)}),
    # four small quintiles told 1 to 4 that add up to 5: each is 1 or 2
    ("persons", {"city": (25, 400), "Q1": (1, 80), "Q2": (1, 80), "Q3": (1, 80), "Q4": (2, 80), "Q5": (20, 80)}),
    # every non-zero quintile is small and they add up to the city's 5: hidden non-zero cells would each be 1
    ("persons", {"city": (5, 400), "Q1": (1, 80), "Q2": (1, 80), "Q3": (1, 80), "Q4": (1, 80), "Q5": (1, 80)}),
    ("persons", {"city": (6, 400), "Q1": (2, 80), "Q2": (2, 80), "Q3": (2, 80), "Q4": (0, 80), "Q5": (0, 80)}),
])
@pytest.mark.parametrize("suppress_complement", [True, False])
def test_the_attack_on_hand_made_sets(breakdown, cells, suppress_complement):
    published = _hand_made(breakdown, cells, suppress_complement)
    assert published["is_primary"].sum() >= 1
    assert attack(published) == []
