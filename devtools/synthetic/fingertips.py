"""A synthetic OHID Fingertips bulk CSV (``ohid/fingertips``): the real columns and period labels,
invented values.

One file holds every period of every mapped indicator (dbt seed comparators/fingertips_indicators)
for England, the nine regions and ~150 upper-tier authorities: Coventry, its peers (seed
comparators/peer_group) and made-up authorities coded E99xxxxxx. England starts from the
indicator's approximate magnitude (seed catalogue/england_benchmarks) and drifts year to year;
regions (half as far) and authorities keep their own offset from England plus yearly noise. Every row's
"Value note" is "Synthetic demo value", which the marts carry as ``is_synthetic``. Periods end at
least six months before the generator's today, as Fingertips lags the data it publishes.
"""

from __future__ import annotations

import csv
from datetime import date

import numpy as np

from devtools.synthetic.periods import TODAY, Period
from devtools.synthetic.population import World
from marmot.settings import dbt_project_dir

SYNTHETIC_NOTE = "Synthetic demo value"
ENGLAND = ("E92000001", "England")
REGIONS = {"E12000001": "North East region", "E12000002": "North West region",
           "E12000003": "Yorkshire and the Humber region", "E12000004": "East Midlands region",
           "E12000005": "West Midlands region", "E12000006": "East of England region", "E12000007": "London region",
           "E12000008": "South East region", "E12000009": "South West region"}
PEER_REGIONS = {"E08000026": "E12000005", "E06000015": "E12000004", "E06000016": "E12000004",
                "E06000018": "E12000004", "E06000023": "E12000009", "E06000026": "E12000009",
                "E06000031": "E12000006", "E06000045": "E12000008", "E08000001": "E12000002",
                "E08000019": "E12000003", "E08000028": "E12000005", "E08000030": "E12000005",
                "E08000031": "E12000005", "E08000032": "E12000003", "E08000034": "E12000003",
                "E08000035": "E12000003"}
AUTHORITIES = 153  # upper-tier local authorities in England from April 2023
UTLA_TYPE = "Counties & UAs (from Apr 2023)"
LAG_DAYS = 183
FIRST_YEAR = 2014
Z99_8 = 3.090232306167813 / 1.959963984540054  # 99.8% half-width over 95% half-width
# the contract's columns and the headers the Fingertips exporter writes
HEADERS = {"indicator_id": "Indicator ID", "indicator_name": "Indicator Name", "parent_code": "Parent Code",
           "parent_name": "Parent Name", "area_code": "Area Code", "area_name": "Area Name", "area_type": "Area Type",
           "sex": "Sex", "age": "Age", "category_type": "Category Type", "category": "Category",
           "time_period": "Time period", "value": "Value", "lower_ci_95": "Lower CI 95.0 limit",
           "upper_ci_95": "Upper CI 95.0 limit", "lower_ci_99_8": "Lower CI 99.8 limit",
           "upper_ci_99_8": "Upper CI 99.8 limit", "count": "Count", "denominator": "Denominator",
           "value_note": "Value note", "recent_trend": "Recent Trend",
           "compared_to_england": "Compared to England value or percentiles",
           "compared_to_parent": "Compared to Regions (statistical) value or percentiles",
           "time_period_sortable": "Time period Sortable", "new_data": "New data",
           "compared_to_goal": "Compared to goal"}


def _seed(folder: str, name: str) -> list[dict]:
    with open(dbt_project_dir() / "seeds" / folder / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fingertips_period(period_type: str, pooled_years: int, start_year: int) -> tuple[str, date]:
    """(Fingertips "Time period" label, end date) of the period starting in ``start_year``."""
    if period_type == "calendar_year":
        end_year = start_year + pooled_years - 1
        label = str(end_year) if pooled_years == 1 else f"{start_year} - {str(end_year)[2:]}"
        return label, date(end_year, 12, 31)
    end = date(start_year + 1, 8, 31) if period_type == "academic_year" else date(start_year + 1, 3, 31)
    return f"{start_year}/{str(start_year + 1)[2:]}", end


def _areas() -> list[tuple[str, str, str, str]]:
    """(code, name, area type, parent code) of England, the regions and the authorities."""
    peers = {r["area_code"]: r["area_name"] for r in _seed("comparators", "peer_group") if r["role"] != "region"}
    regions = sorted(REGIONS)
    made_up = [(f"E99{i:06d}", f"Synthetic authority {i:03d}", regions[i % len(regions)])
               for i in range(1, AUTHORITIES - len(peers) + 1)]
    return ([(*ENGLAND, "England", ""), *((c, n, "Region", ENGLAND[0]) for c, n in REGIONS.items())]
            + [(c, peers[c], UTLA_TYPE, PEER_REGIONS[c]) for c in sorted(peers)]
            + [(c, n, UTLA_TYPE, parent) for c, n, parent in made_up])


def fingertips(w: World, p: Period, rng) -> dict:
    catalogue = {r["indicator_id"]: r for r in _seed("catalogue", "indicator_catalogue")}
    england = {}
    for r in _seed("catalogue", "england_benchmarks"):
        england.setdefault(r["indicator_id"], float(r["england_value"]))
    areas = _areas()
    names = {code: name for code, name, _, _ in areas}
    last_day = date.fromordinal(TODAY.toordinal() - LAG_DAYS)
    rows = []
    for m in _seed("comparators", "fingertips_indicators"):
        cat = catalogue[m["indicator_id"]]
        base, unit = england[m["indicator_id"]], cat["unit"]
        spread = 0.02 if unit == "years" else 0.12  # authorities differ less in life expectancy than in rates
        offset = rng.normal(0, spread, len(areas)) * np.array(
            [0.0 if t == "England" else 0.5 if t == "Region" else 1.0 for _, _, t, _ in areas])
        drift = rng.normal(0, spread / 10)  # England's change per year
        for start in range(FIRST_YEAR, TODAY.year):
            label, end = fingertips_period(cat["period_type"], int(cat["pooled_years"]), start)
            if end > last_day:
                continue
            value = base * (1 + drift * (start - 2020) + rng.normal(0, 0.005)) * np.exp(
                offset + rng.normal(0, spread / 4, len(areas)) * (np.arange(len(areas)) > 0))
            if unit == "%":
                value = np.clip(value, 0.5, 99.5)
            half = value * np.array([0.005 if t == "England" else 0.015 if t == "Region" else 0.04
                                     for _, _, t, _ in areas])
            for (code, name, area_type, parent), v, h in zip(areas, value, half, strict=True):
                rows.append((m["fingertips_indicator_id"], m["fingertips_indicator_name"], parent or None,
                             names.get(parent), code, name, area_type, m["sex"], m["age"] or "All ages", None, None,
                             label, round(v, 3), round(v - h, 3), round(v + h, 3), round(v - h * Z99_8, 3),
                             round(v + h * Z99_8, 3), None, None, SYNTHETIC_NOTE, None, None, None,
                             int(label[:4]) * 10000, None, None))
    columns = list(zip(*rows, strict=True))
    return {name: np.array(col, dtype=object) for name, col in zip(HEADERS, columns, strict=True)}
