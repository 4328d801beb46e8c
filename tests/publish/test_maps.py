"""Ward maps (marmot/publish/site/maps.py): coloured by the comparison with Coventry and never by colour alone; a
choropleth from the loaded boundaries (the synthetic test file), a tile map where none are loaded."""

from __future__ import annotations

import json
import re

import pytest

from marmot.publish.site import maps
from publish.site_fixtures import BOUNDARIES

CITY = {"value": 50.0, "suppressed": False}
IND = {"id": "x", "name": "Test <indicator>", "unit": "%", "period": "2025/26", "polarity": "HiG"}


def _row(code: str, name: str, value: float | None, half: float = 2.0, suppressed: bool = False) -> dict:
    return {"area_code": code, "area": name, "value": value, "lower": None if value is None else value - half,
            "upper": None if value is None else value + half, "suppressed": suppressed}


ROWS = [_row("E05001218", "Bablake", 60.0), _row("E05001219", "Binley and Willenhall", 51.0),
        _row("E05001220", "Cheylesmore", 40.0), _row("E05001221", "Earlsdon", None, suppressed=True)]


@pytest.mark.parametrize(("polarity", "expected"), [
    ("HiG", ["Better", "Similar", "Worse", "Not compared"]), ("LiG", ["Worse", "Similar", "Better", "Not compared"]),
    ("BOB", ["Higher", "Similar", "Lower", "Not compared"])])
def test_a_ward_is_compared_with_coventry_by_its_interval_and_the_polarity(polarity, expected):
    assert [maps.compare_with_city(r, CITY, polarity) for r in ROWS] == expected
    assert maps.compare_with_city(ROWS[0], None, polarity) == "Not compared"


def _boundaries() -> list[dict]:
    features = json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
    return [{"area_code": f["properties"]["WD24CD"], "area_name": f["properties"]["WD24NM"],
             "geometry": json.dumps(f["geometry"])} for f in features]


def test_the_choropleth_draws_the_matched_wards_with_words_and_symbols_not_colour_alone():
    svg = maps.ward_map(IND, ROWS, CITY, _boundaries())
    assert BOUNDARIES.name.startswith("synthetic_")
    assert svg.startswith('<div class="chart-scroll" role="region" tabindex="0"')
    assert 'role="img" aria-labelledby="map-x-t map-x-d"' in svg and "Test &lt;indicator&gt;" in svg
    assert "Tile map" not in svg and "Map of 4 wards from their boundaries" in svg
    assert len(re.findall(r'<path class="area', svg)) == 4  # boundaries without a ward value are not drawn
    titles = re.findall(r"<g class=\"ward\"><title>([^<]+)</title>", svg)
    assert "Bablake: 60.0 % (95% CI 58.0 to 62.0), better than Coventry" in titles
    assert "Binley and Willenhall: 51.0 % (95% CI 49.0 to 53.0), similar to Coventry" in titles
    assert "Cheylesmore: 40.0 % (95% CI 38.0 to 42.0), worse than Coventry" in titles
    assert any(t.startswith("Earlsdon: *") for t in titles)
    for word in ("Better than Coventry", "Similar to Coventry", "Worse than Coventry", "Not compared"):
        assert f">{word}</text>" in svg  # the legend
    points = [float(v) for v in re.findall(r"[ML]([0-9.]+),", svg)]
    assert points and max(points) <= maps.WIDTH


def test_wards_are_matched_by_name_where_the_codes_differ_each_drawn_once_and_a_bad_geometry_is_skipped():
    bounds = _boundaries()
    bounds[0]["area_code"], bounds[1]["geometry"] = "SYNW26001", "{not json"
    svg = maps.choropleth(IND, ROWS, CITY, bounds)
    assert "Bablake: 60.0" in svg and "Binley" not in svg
    assert "1 ward without a boundary is in the table only" in svg
    rows = [{**ROWS[0], "area": "Foleshill"}, ROWS[1]]  # a boundary named Foleshill has another code: not drawn
    svg = maps.choropleth(IND, rows, CITY, _boundaries())
    assert svg.count("<title>Foleshill") == 1 and len(re.findall(r'<path class="area', svg)) == 2


def test_without_boundaries_a_tile_map_has_one_square_per_ward():
    rows = ROWS + [_row("E05009999", "=HYPERLINK(\"http://x\")", 50.0)]
    for boundaries in ([], [{"area_code": "E09", "area_name": "Elsewhere", "geometry": '{"type": "Point"}'}]):
        svg = maps.ward_map(IND, rows, CITY, boundaries)
        assert "Tile map:" in svg and svg.count('<rect class="area') == 5 + 4  # wards + legend keys
        assert "=HYPERLINK(&quot;http" in svg and "<title>Wainbody" not in svg
    assert maps.ward_map(IND, [], CITY, []) is None
