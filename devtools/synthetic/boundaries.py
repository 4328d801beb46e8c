"""Synthetic ward boundaries, in the shape of the ONS Open Geography Portal's GeoJSON (WD24CD, WD24NM, ...).

Not real ward shapes: one square per Coventry ward (2024 codes, dbt_project/seeds/geography/wards.csv) laid out
as the site's tile map lays them out (``marmot.publish.site.maps.TILES``), around Coventry's centre. The file name
starts ``synthetic_`` like every generated file, and the collection's ``description`` says it is synthetic.
"""

from __future__ import annotations

import csv
import json

from devtools.synthetic.periods import Period
from marmot.publish.site.maps import TILES
from marmot.settings import geography_seeds_dir

CENTRE = (-1.51, 52.41)  # longitude, latitude
STEP = (0.032, 0.02)  # degrees: about 2.2 km either way
DESCRIPTION = ("SYNTHETIC demo boundaries: one square per Coventry ward in an approximate layout, not real ward "
               "shapes (python -m devtools generate).")


def ward_boundaries(w, p: Period, rng) -> dict:
    """One row per ward of December 2024: the properties of an ONS feature and its ``geometry`` as GeoJSON text."""
    with open(geography_seeds_dir() / "wards.csv", newline="") as f:
        wards = [r for r in csv.DictReader(f) if r["code_is_synthetic"] == "false"]
    table: dict[str, list] = {k: [] for k in ("FID", "WD24CD", "WD24NM", "WD24NMW", "LONG", "LAT", "geometry")}
    for i, ward in enumerate(wards, start=1):
        col, row = TILES.get(ward["ward_name"].lower(), (5, i))
        west, north = CENTRE[0] + (col - 2) * STEP[0], CENTRE[1] - (row - 2) * STEP[1]
        ring = [[west, north], [west + STEP[0], north], [west + STEP[0], north - STEP[1]], [west, north - STEP[1]],
                [west, north]]
        for key, value in (("FID", i), ("WD24CD", ward["ward_code"]), ("WD24NM", ward["ward_name"]),
                           ("WD24NMW", " "), ("LONG", round(west + STEP[0] / 2, 5)),
                           ("LAT", round(north - STEP[1] / 2, 5)),
                           ("geometry", json.dumps({"type": "Polygon",
                                                    "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}))):
            table[key].append(value)
    return table


def to_geojson(table: dict) -> bytes:
    """A FeatureCollection: each row a feature, ``geometry`` its geometry, the other columns its properties."""
    names = [k for k in table if k != "geometry"]
    features = [{"type": "Feature", "properties": {k: table[k][i] for k in names},
                 "geometry": json.loads(table["geometry"][i])} for i in range(len(table["geometry"]))]
    return (json.dumps({"type": "FeatureCollection", "name": "synthetic_ward_boundaries", "description": DESCRIPTION,
                        "features": features}) + "\n").encode("utf-8")
