"""Spine charts (as in OHID Fingertips' area profiles), hand-built static SVG, and trend sparklines.

One row per indicator: the spread of all English upper-tier authorities in its latest period
(``mart_indicator_comparators``: lowest to highest in light grey, lower to upper quartile in dark grey), England as
a black line at the centre, Coventry as a circle coloured by its comparison with England, with the comparison in
words beside it. Each side of England is scaled to the authority farthest from it (Fingertips does the same), so
England is always in the middle. Rows are oriented by polarity: the better end is always on the right (the worse
on the left); where higher is neither better nor worse (BOB) the higher end is on the right.

Text is 12 px; the SVG may shrink to fit the screen only as far as its text stays 11 px (then its box scrolls),
like the Altair charts of ``charts.py``.
"""

from __future__ import annotations

import textwrap
from html import escape

from marmot.publish.site import labels
from marmot.publish.site.charts import in_time_order

FILL = {"better": "#00703c", "similar": "#ffbf47", "worse": "#d4351c", "bob-lower": "#5694ca",
        "bob-higher": "#003078", "not-compared": "#ffffff"}
FONT = 12
NAME_W, SPINE_W, WORD_W, ROW_H, HEAD_H, PAD = 290, 380, 110, 36, 40, 10
WIDTH = NAME_W + SPINE_W + WORD_W + 2 * PAD


def better_on_right(polarity: str | None) -> bool:
    """True when higher values are drawn to the right: high is good, or no polarity (lower left, higher right)."""
    return polarity != "LiG"


def positions(spread: dict, coventry: float | None, england: float | None, polarity: str | None) -> dict:
    """x (0 = left end, 1 = right end, 0.5 = England) of the spread's five points and Coventry: each side of
    England scaled to the value farthest from it, flipped where low is good so that better is on the right."""
    centre = england if england is not None else spread["authorities_median"]
    points = {k: spread[f"authorities_{k}"] for k in ("min", "q1", "median", "q3", "max")}
    present = [v for v in [*points.values(), coventry] if v is not None]
    half = max((abs(v - centre) for v in present), default=0) or 1.0
    sign = 1 if better_on_right(polarity) else -1
    def x(v):
        return None if v is None else 0.5 + sign * (v - centre) / (2 * half)
    return {**{k: x(v) for k, v in points.items()}, "coventry": x(coventry), "england": 0.5}


def _name_lines(name: str) -> list[str]:
    lines = textwrap.wrap(name, 44)
    return lines if len(lines) <= 2 else [lines[0], textwrap.shorten(" ".join(lines[1:]), 44, placeholder=" …")]


def chart(chart_id: str, title: str, rows: list[dict]) -> str | None:
    """The spine chart of ``rows`` (glance rows: ``ind``, ``coventry``, ``england``, ``spread``), or None when no
    row has a spread of authorities."""
    drawn = [r for r in rows if r.get("spread")]
    if not drawn:
        return None
    height = HEAD_H + ROW_H * len(drawn) + PAD
    x0 = PAD + NAME_W
    out = [f'<text x="{PAD}" y="{HEAD_H - 12}" font-weight="700">Indicator</text>',
           f'<text x="{x0}" y="{HEAD_H - 12}">← Worse / lower</text>',
           f'<text x="{x0 + SPINE_W / 2}" y="{HEAD_H - 26}" text-anchor="middle">England</text>',
           f'<text x="{x0 + SPINE_W}" y="{HEAD_H - 12}" text-anchor="end">Better / higher →</text>',
           f'<text x="{x0 + SPINE_W + 10}" y="{HEAD_H - 12}" font-weight="700">Coventry</text>',
           f'<line x1="{x0 + SPINE_W / 2}" y1="{HEAD_H - 20}" x2="{x0 + SPINE_W / 2}" y2="{height - PAD}" '
           'stroke="#0b0c0c" stroke-width="2"/>']
    desc = []
    for n, r in enumerate(drawn):
        ind, spread = r["ind"], r["spread"]
        city = ind.get("city") or {}
        value = None if city.get("suppressed") else city.get("value")
        pos = positions(spread, value, r["england"]["value"], ind.get("polarity"))
        top = HEAD_H + n * ROW_H
        mid = top + ROW_H / 2
        px = {k: None if v is None else x0 + SPINE_W * v for k, v in pos.items()}
        out.append(f'<g class="spine-row" data-indicator="{escape(ind["id"])}"><title>{escape(ind["name"])}</title>')
        if n % 2 == 0:
            out.append(f'<rect x="0" y="{top}" width="{WIDTH}" height="{ROW_H}" fill="#f3f2f1"/>')
        lines = _name_lines(ind["name"])
        for k, line in enumerate(lines):
            y = mid + FONT * 0.35 + (k - (len(lines) - 1) / 2) * (FONT + 2)
            out.append(f'<text x="{PAD}" y="{y:.1f}">{escape(line)}</text>')
        lo, hi = sorted((px["min"], px["max"]))
        q1, q3 = sorted((px["q1"], px["q3"]))
        out.append(f'<rect class="spine-range" x="{lo:.1f}" y="{mid - 7}" width="{hi - lo:.1f}" height="14" '
                   'fill="#b1b4b6"/>')
        out.append(f'<rect class="spine-iqr" x="{q1:.1f}" y="{mid - 7}" width="{q3 - q1:.1f}" height="14" '
                   'fill="#6f777b"/>')
        out.append(f'<line x1="{x0 + SPINE_W / 2}" y1="{mid - 11}" x2="{x0 + SPINE_W / 2}" y2="{mid + 11}" '
                   'stroke="#0b0c0c" stroke-width="2"/>')
        cell = r["coventry"]
        if pos["coventry"] is not None:
            out.append(f'<circle class="spine-coventry {cell["class"]}" cx="{px["coventry"]:.1f}" cy="{mid}" r="7" '
                       f'fill="{FILL.get(cell["class"], "#ffffff")}" stroke="#0b0c0c" stroke-width="1.5"/>')
        word = cell["label"] if value is not None else "No value"
        out.append(f'<text x="{x0 + SPINE_W + 10}" y="{mid + FONT * 0.35:.1f}">{escape(word)}</text></g>')
        ends = ("lowest", "highest") if ind.get("polarity") == "BOB" else (
            ("worst", "best") if better_on_right(ind.get("polarity")) else ("best", "worst"))
        desc.append(f"{ind['name']}: Coventry {labels.number(value)}, England {labels.number(r['england']['value'])} "
                    f"(compared with England: {word}); authorities from "
                    f"{labels.number(spread['authorities_min'])} ({ends[0]}) to "
                    f"{labels.number(spread['authorities_max'])} ({ends[1]})")
    smallest = FONT
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart spine" role="img" id="{chart_id}" '
            f'aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-size="{FONT}px" font-family="system-ui, Arial, sans-serif" '
            f'fill="#0b0c0c" style="max-width:{WIDTH}px;min-width:{WIDTH * 11 / smallest:.0f}px">')
    text = (f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">Spine chart: each row is one '
            "indicator; the bar spans all English upper-tier authorities (dark grey: the middle half), the black line "
            "is England, the circle Coventry; better is on the right. " + escape("; ".join(desc)) + ".</desc>")
    svg = head + text + "".join(out) + "</svg>"
    return f'<div class="chart-scroll" role="region" tabindex="0" aria-label="{escape(title)}">{svg}</div>'


def sparkline(ind: dict, rows: list[dict], direction: str = "unknown") -> str | None:
    """A small line of the city value over the complete periods (no text; its figures are on the indicator page)."""
    points = {r["period"]: r["value"] for r in rows
              if r["level"] == "city" and not r["suppressed"] and r["value"] is not None and not r.get("period_note")}
    order = [p for p in in_time_order(points) if p in points]
    if len(order) < 2:
        return None
    values = [points[p] for p in order]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    w, h = 96, 24
    xy = " ".join(f"{2 + (w - 4) * i / (len(values) - 1):.1f},{h - 3 - (h - 6) * (v - lo) / span:.1f}"
                  for i, v in enumerate(values))
    colour = {"improving": FILL["better"], "worsening": FILL["worse"]}.get(direction, "#0b0c0c")
    label = f"Trend of {ind['name']}: {order[0]} {values[0]:.1f} to {order[-1]} {values[-1]:.1f}"
    return (f'<svg class="spark" role="img" aria-label="{escape(label)}" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}"><polyline points="{xy}" fill="none" stroke="{colour}" stroke-width="2"/></svg>')
