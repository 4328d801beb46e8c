"""The real Coventry LSOAs with IMD 2025 deciles, and the (synthetic) LSOA-to-ward lookup."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from marmot.settings import geography_seeds_dir


@dataclass(frozen=True)
class Area:
    lsoa21_code: str
    imd_decile: int
    ward_code: str
    ward_name: str = ""


def load_areas() -> list[Area]:
    seeds = geography_seeds_dir()
    with open(seeds / "lsoa21_imd2025.csv", newline="") as f:
        deciles = {r["lsoa21_code"]: int(float(r["IMD_decile"])) for r in csv.DictReader(f)}
    with open(seeds / "lsoa21_ward_lookup.csv", newline="") as f:
        wards = {r["lsoa21_code"]: (r["ward_code"], r["ward_name"]) for r in csv.DictReader(f)}
    return [Area(code, deciles[code], *wards[code]) for code in sorted(deciles)]
