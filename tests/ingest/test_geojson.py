"""Reference boundaries (ingestion/contracts/ons__ward_boundaries.yml) arrive as the ONS Open Geography Portal's
GeoJSON and are ingested like any partner file: one row per feature, its properties as columns, the geometry as
GeoJSON text and the boundary year from the ONS code field's name. The test file is synthetic (squares)."""

from __future__ import annotations

import json

import duckdb
from publish.site_fixtures import BOUNDARIES

from ingest.data import land
from marmot.ingest.ingestor import Ingestor

WARDS = ("ons", "ward_boundaries")


def _ingest(home) -> dict[str, object]:
    return {e.original_name: e for e in Ingestor(home).run()}


def test_an_ons_geojson_file_is_read_one_row_per_ward_with_its_geometry(home):
    land(home.landing, *WARDS, BOUNDARIES.name, BOUNDARIES.read_bytes())
    entry = _ingest(home)[BOUNDARIES.name]
    assert entry.status == "accepted", entry.reasons
    assert entry.periods == ["2024"]
    [batch] = (home.home / "warehouse" / "raw" / "ons" / "ward_boundaries").glob("*.parquet")
    rows = duckdb.sql(f"SELECT boundary_year, ward_code, ward_name, geometry FROM read_parquet('{batch}') "
                      "ORDER BY ward_code").fetchall()
    assert [r[:3] for r in rows[:2]] == [("2024", "E05001218", "Bablake"), ("2024", "E05001219",
                                                                           "Binley and Willenhall")]
    assert json.loads(rows[0][3])["type"] == "Polygon" and json.loads(rows[-1][3])["type"] == "MultiPolygon"


def test_a_feature_collection_with_odd_properties_or_no_code_field_is_checked_not_trusted(home):
    doc = json.loads(BOUNDARIES.read_text())
    doc["features"][0]["properties"]["x'); DROP TABLE src; --"] = 1  # not a plain name: left out
    doc["features"][1]["properties"] = None
    land(home.landing, *WARDS, "synthetic_odd.geojson", json.dumps(doc).encode())
    entry = _ingest(home)["synthetic_odd.geojson"]
    assert entry.status == "accepted_with_warnings" and entry.rows_rejected == 1, entry.reasons  # no code
    for f in doc["features"]:
        f["properties"] = {"code": (f["properties"] or {}).get("WD24CD")}
    land(home.landing, *WARDS, "synthetic_nocode.geojson", json.dumps(doc).encode())
    entry = _ingest(home)["synthetic_nocode.geojson"]
    assert entry.status == "quarantined", entry.reasons
