"""Ward maps: a choropleth from the loaded boundaries, or a tile map where none are loaded.

Each ward is coloured by how it compares with Coventry (its 95% interval above, overlapping or below the city
value; better/worse by the indicator's polarity, higher/lower where it has none), and never by colour alone: every
area carries a symbol (+ better, = similar, - worse, ^ higher, v lower, ? not compared), a ``<title>`` naming the
ward, its value and the comparison (the tooltip), and the page carries the ward table with the same words.

The boundaries are GeoJSON geometries (WGS84 longitude/latitude) of ``mart_area_boundaries``, loaded like any other
reference data (``ingestion/contracts/ons__ward_boundaries.yml``). They are projected simply, equirectangular with
longitude scaled by the cosine of the middle latitude (a city is small enough), and fitted to the box. No
JavaScript, no network: an SVG written here.
"""

from __future__ import annotations

import json
import math
from html import escape

from marmot.publish.site import labels

WIDTH = 560
PAD = 8
SYMBOL = {"better": "+", "similar": "=", "worse": "\u2212", "bob-higher": "\u25b2", "bob-lower": "\u25bc",
          "not-compared": "?"}
LEGEND = (("better", "Better than Coventry"), ("similar", "Similar to Coventry"), ("worse", "Worse than Coventry"),
          ("bob-higher", "Higher than Coventry"), ("bob-lower", "Lower than Coventry"),
          ("not-compared", "Not compared"))
# a fixed, approximate layout of Coventry's 18 wards (north at the top): column, row of one square each
TILES = {"bablake": (1, 0), "holbrook": (2, 0), "holbrooks": (2, 0), "longford": (3, 0),
         "woodlands": (0, 1), "radford": (1, 1), "foleshill": (2, 1), "upper stoke": (3, 1), "henley": (4, 1),
         "whoberley": (0, 2), "sherbourne": (1, 2), "st michael's": (2, 2), "lower stoke": (3, 2), "wyken": (4, 2),
         "westwood": (0, 3), "earlsdon": (1, 3), "cheylesmore": (2, 3), "binley and willenhall": (3, 3),
         "wainbody": (1, 4)}
TILE, GAP = 92, 6
MAX_POINTS = 200_000  # coordinates drawn per map: a boundary file of a whole country is not drawn point by point


def compare_with_city(row: dict, city: dict | None, polarity: str | None) -> str:
    """The words of one area against Coventry: its 95% interval wholly above or below the city value, else
    similar; better/worse for an indicator where high (HiG) or low (LiG) is good, higher/lower otherwise."""
    if (row.get("suppressed") or row.get("value") is None or row.get("lower") is None or not city
            or city.get("suppressed") or city.get("value") is None):
        return "Not compared"
    if row["lower"] > city["value"]:
        direction = "higher"
    elif row["upper"] < city["value"]:
        direction = "lower"
    else:
        return "Similar"
    if polarity == "HiG":
        return "Better" if direction == "higher" else "Worse"
    if polarity == "LiG":
        return "Better" if direction == "lower" else "Worse"
    return direction.capitalize()


def _key(name: str | None) -> str:
    return " ".join((name or "").lower().replace("\u2019", "'").split())


def _tip(row: dict | None, name: str, unit: str, comparison: str) -> str:
    if row is None:
        return f"{name}: no value"
    if row.get("suppressed"):
        return f"{name}: {labels.SUPPRESSED} (suppressed to protect small numbers), not compared with Coventry"
    text = f"{name}: {labels.number(row.get('value'))} {unit}"
    if row.get("lower") is not None:
        text += f" (95% CI {labels.number(row['lower'])} to {labels.number(row['upper'])})"
    if comparison == "Not compared":
        return text + ", not compared with Coventry"
    if comparison == "Similar":
        return text + ", similar to Coventry"
    return text + f", {comparison.lower()} than Coventry"


def _rings(geometry: dict) -> list[list[list[float]]]:
    """The rings of a Polygon or MultiPolygon (anything else draws nothing)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def _legend(used: list[str], y: float) -> tuple[str, float]:
    parts, x = [], PAD
    for cls, text in LEGEND:
        if cls not in used:
            continue
        width = 34 + 7.2 * len(text)
        if x + width > WIDTH:
            x, y = PAD, y + 26
        parts.append(f'<g class="key"><rect class="area {cls}" x="{x}" y="{y}" width="18" height="18"/>'
                     f'<text class="sym {cls}" x="{x + 9}" y="{y + 13.5}" text-anchor="middle">{SYMBOL[cls]}</text>'
                     f'<text x="{x + 24}" y="{y + 14}">{escape(text)}</text></g>')
        x += width
    return "".join(parts), y + 26


def _svg(map_id: str, title: str, desc: str, body: str, height: float) -> str:
    return (f'<div class="chart-scroll" role="region" tabindex="0" aria-label="{escape(title)}">'
            f'<svg class="map" id="{map_id}" role="img" aria-labelledby="{map_id}-t {map_id}-d" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
            f'style="max-width:{WIDTH}px;min-width:320px" focusable="false">'
            f'<title id="{map_id}-t">{escape(title)}</title><desc id="{map_id}-d">{escape(desc)}</desc>'
            f'{body}</svg></div>')


def _counts(classes: list[str]) -> str:
    words = dict(LEGEND)
    return "; ".join(f"{classes.count(c)} {words[c].lower()}" for c, _ in LEGEND if c in classes)


def ward_map(ind: dict, rows: list[dict], city: dict | None, boundaries: list[dict]) -> str | None:
    """A choropleth of the wards with boundaries; a tile map of them where no boundary matches a ward."""
    if not rows:
        return None
    drawn = choropleth(ind, rows, city, boundaries) if boundaries else None
    return drawn or tile_map(ind, rows, city)


def _match(rows: list[dict], boundaries: list[dict]) -> dict[str, dict]:
    """Boundary code -> ward row: by code; a ward whose code no boundary has, by name (a re-warded year's
    placeholder codes). A ward is drawn once."""
    codes = {b["area_code"] for b in boundaries}
    by_code = {r["area_code"]: r for r in rows}
    by_name = {_key(r["area"]): r for r in rows if r["area_code"] not in codes}
    matched = {}
    for b in boundaries:
        row = by_code.get(b["area_code"]) or by_name.pop(_key(b["area_name"]), None)
        if row is not None:
            matched[b["area_code"]] = row
    return matched


def choropleth(ind: dict, rows: list[dict], city: dict | None, boundaries: list[dict]) -> str | None:
    """The wards as drawn by their boundaries; None when no boundary belongs to a ward of ``rows``."""
    matched = _match(rows, boundaries)
    shapes = []
    points = 0
    for b in boundaries:
        if matched.get(b["area_code"]) is None:
            continue
        try:
            rings = _rings(json.loads(b["geometry"]))
        except (ValueError, TypeError, AttributeError):
            continue
        rings = [[(float(p[0]), float(p[1])) for p in ring if len(p) >= 2] for ring in rings]
        points += sum(len(r) for r in rings)
        if rings and points <= MAX_POINTS:
            shapes.append((b, rings))
    if not shapes:
        return None
    lons = [p[0] for _, rings in shapes for ring in rings for p in ring]
    lats = [p[1] for _, rings in shapes for ring in rings for p in ring]
    if not lons or max(lons) == min(lons) or max(lats) == min(lats):
        return None
    scale_x = math.cos(math.radians((max(lats) + min(lats)) / 2))
    span_x, span_y = (max(lons) - min(lons)) * scale_x, max(lats) - min(lats)
    k = (WIDTH - 2 * PAD) / span_x
    if span_y * k > 560:  # a tall city fits a box no taller than it is wide
        k = 560 / span_y
    height = span_y * k + 2 * PAD

    def xy(p: tuple[float, float]) -> tuple[float, float]:
        return PAD + (p[0] - min(lons)) * scale_x * k, PAD + (max(lats) - p[1]) * k

    parts, classes = [], []
    for b, rings in shapes:
        row = matched[b["area_code"]]
        comparison = compare_with_city(row, city, ind.get("polarity"))
        cls = labels.benchmark_class(comparison)
        classes.append(cls)
        d = " ".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, ring)) + "Z" for ring in rings if ring)
        outer = [xy(p) for p in max(rings, key=len)]
        cx, cy = sum(x for x, _ in outer) / len(outer), sum(y for _, y in outer) / len(outer)
        tip = escape(_tip(row, row["area"], ind.get("unit") or "", comparison))
        parts.append(f'<g class="ward"><title>{tip}</title><path class="area {cls}" d="{d}"/>'
                     f'<text class="sym {cls}" x="{cx:.1f}" y="{cy + 5:.1f}" text-anchor="middle" '
                     f'aria-hidden="true">{SYMBOL[cls]}</text></g>')
    legend, total = _legend(sorted(set(classes), key=[c for c, _ in LEGEND].index), height + 6)
    desc = (f"Map of {len(shapes)} wards from their boundaries, each coloured and marked by how its value compares "
            f"with Coventry: {_counts(classes)}.")
    if unmapped := len(rows) - len(shapes):
        desc += f" {unmapped} ward{'s' if unmapped > 1 else ''} without a boundary {'are' if unmapped > 1 else 'is'} " \
                "in the table only."
    desc += " The table below gives every ward's value and comparison."
    return _svg(f"map-{ind['id']}", f"Map: {ind['name']}, wards compared with Coventry, {ind['period']}", desc,
                "".join(parts) + legend, total)


def tile_map(ind: dict, rows: list[dict], city: dict | None) -> str:
    """One equal square per ward in a fixed, approximate layout (north at the top); a ward the layout does not
    know goes in a row below."""
    placed, extra = {}, 0
    for r in sorted(rows, key=lambda r: r["area"] or ""):
        spot = TILES.get(_key(r["area"]))
        if spot is None or spot in placed.values():
            spot = (extra % 5, 5 + extra // 5)
            extra += 1
        placed[r["area_code"]] = spot
    rows_used = sorted({s[1] for s in placed.values()})
    row_y = {row: i for i, row in enumerate(rows_used)}
    parts, classes = [], []
    for r in rows:
        col, row = placed[r["area_code"]]
        x, y = PAD + col * (TILE + GAP), PAD + row_y[row] * (TILE + GAP)
        comparison = compare_with_city(r, city, ind.get("polarity"))
        cls = labels.benchmark_class(comparison)
        classes.append(cls)
        name = r["area"] or r["area_code"]
        short = escape(name if len(name) <= 11 else name[:10] + "\u2026")
        tip = escape(_tip(r, name, ind.get("unit") or "", comparison))
        parts.append(f'<g class="ward"><title>{tip}</title>'
                     f'<rect class="area {cls}" x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4"/>'
                     f'<text class="tile {cls}" x="{x + TILE / 2}" y="{y + 38}" text-anchor="middle">{short}</text>'
                     f'<text class="tile sym {cls}" x="{x + TILE / 2}" y="{y + 66}" text-anchor="middle" '
                     f'aria-hidden="true">{SYMBOL[cls]}</text></g>')
    height = PAD + len(rows_used) * (TILE + GAP)
    legend, total = _legend(sorted(set(classes), key=[c for c, _ in LEGEND].index), height + 4)
    desc = (f"Tile map: one square per ward in an approximate layout of Coventry (no boundaries are loaded), each "
            f"coloured and marked by how its value compares with Coventry: {_counts(classes)}. The table below "
            "gives every ward's value and comparison.")
    return _svg(f"map-{ind['id']}", f"Tile map: {ind['name']}, wards compared with Coventry, {ind['period']}", desc,
                "".join(parts) + legend, total)
