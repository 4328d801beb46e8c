"""Ward boundaries are reference data loaded like any partner file: the generated (synthetic) GeoJSON is ingested,
staged for Coventry's wards and published in mart_area_boundaries for the site's ward maps."""

from __future__ import annotations

import json


def test_the_ward_boundaries_reach_the_mart_one_polygon_per_coventry_ward(warehouse):
    rows = warehouse.execute("SELECT area_level, area_code, boundary_year, geometry, is_synthetic "
                             "FROM marts.mart_area_boundaries ORDER BY area_code").fetchall()
    assert len(rows) == 18 and {r[0] for r in rows} == {"ward"} and {r[2] for r in rows} == {"2024"}
    assert rows[0][1] == "E05001218" and all(r[4] for r in rows)  # the demo's boundaries are synthetic
    assert all(json.loads(r[3])["type"] == "Polygon" for r in rows)
