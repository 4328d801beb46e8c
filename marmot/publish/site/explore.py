"""The compare and search pages: every indicator's data the page needs, embedded in it as JSON, for a little
vanilla JavaScript (``static/compare.js``, ``static/search.js``); no network, no libraries.

Without JavaScript both pages still work: the compare page shows a default pair drawn here (the same SVG the
script draws) with its table, and the search page lists every indicator.
"""

from __future__ import annotations

import json
from html import escape

from markupsafe import Markup

from marmot.publish.site import labels

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD = 560, 380, 64, 52, 16


def embedded(data) -> Markup:
    """JSON safe inside ``<script type="application/json">``: no ``<`` (so no ``</script>``), no ``&``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def compare_data(pub, indicators: list[dict]) -> list[dict]:
    """Each indicator with ward values in its latest period: id, name, unit, period and ward -> value."""
    out = []
    for ind in indicators:
        wards = {r["area"]: round(r["value"], 3) for r in pub.values(ind["id"], period=ind["period"], level="ward")
                 if not r["suppressed"] and r["value"] is not None and r["area"]}
        if len(wards) >= 2:
            out.append({"id": ind["id"], "name": ind["name"], "unit": ind["unit"] or "", "period": ind["period"],
                        "principle": ind["principle_label"], "wards": wards})
    return out


def search_index(indicators: list[dict]) -> list[dict]:
    """What the search matches: name, principle, definition and unit of every indicator, and its page."""
    return [{"id": i["id"], "name": i["name"], "principle": i["principle_label"], "unit": i["unit"] or "",
             "definition": ((i.get("metadata") or {}).get("definition") or ""), "href": f"indicator-{i['id']}.html"}
            for i in indicators]


def pairs(a: dict, b: dict) -> list[tuple[str, float, float]]:
    """Wards with a value of both indicators, by name."""
    return [(w, a["wards"][w], b["wards"][w]) for w in sorted(a["wards"]) if w in b["wards"]]


def _ticks(lo: float, hi: float) -> list[float]:
    step = (hi - lo) / 4 if hi > lo else 1.0
    return [lo + i * step for i in range(5)]


def _range(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1.0
    return lo - pad, hi + pad


def scatter_svg(a: dict, b: dict) -> Markup:
    """The scatter of two indicators across wards (static/compare.js draws the same for any pair)."""
    points = pairs(a, b)
    title = f"{a['name']} ({a['period']}) against {b['name']} ({b['period']}), by ward"
    desc = f"{len(points)} wards with a value of both; each point is a ward. Figures in the table below."
    if not points:
        return Markup('<p id="scatter-empty">No ward has a value of both indicators.</p>')
    (x0, x1), (y0, y1) = _range([p[1] for p in points]), _range([p[2] for p in points])
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD, HEIGHT - PAD_BOTTOM - PAD

    def sx(v: float) -> float:
        return PAD_LEFT + (v - x0) / (x1 - x0) * plot_w

    def sy(v: float) -> float:
        return PAD + (y1 - v) / (y1 - y0) * plot_h

    parts = [f'<rect class="plot" x="{PAD_LEFT}" y="{PAD}" width="{plot_w}" height="{plot_h}"/>']
    for t in _ticks(x0, x1):
        parts.append(f'<text class="tick" x="{sx(t):.1f}" y="{HEIGHT - PAD_BOTTOM + 18}" text-anchor="middle">'
                     f'{labels.number(t)}</text>')
    for t in _ticks(y0, y1):
        parts.append(f'<text class="tick" x="{PAD_LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">'
                     f'{labels.number(t)}</text>')
    parts.append(f'<text class="axis" x="{PAD_LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">'
                 f'{escape(a["name"])} ({escape(a["unit"])})</text>')
    parts.append(f'<text class="axis" transform="translate(14 {PAD + plot_h / 2}) rotate(-90)" '
                 f'text-anchor="middle">{escape(b["name"])} ({escape(b["unit"])})</text>')
    for ward, x, y in points:
        parts.append(f'<circle class="point" cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="6"><title>{escape(ward)}: '
                     f'{labels.number(x)} {escape(a["unit"])}, {labels.number(y)} {escape(b["unit"])}</title></circle>')
    return Markup(f'<svg id="scatter" class="scatter" role="img" aria-labelledby="scatter-t scatter-d" '
                  f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" focusable="false">'
                  f'<title id="scatter-t">{escape(title)}</title><desc id="scatter-d">{escape(desc)}</desc>'
                  + "".join(parts) + "</svg>")
