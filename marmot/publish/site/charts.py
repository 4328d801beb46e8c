"""Charts: Vega-Lite specs built with altair, rendered to static SVG at build time (vl-convert).

No JavaScript, no network. Every SVG gets ``role="img"`` with a ``<title>`` and ``<desc>`` (the
page also carries the data table behind each chart). Colours are Okabe-Ito (colour-blind safe);
suppressed values are left out of the chart and shown as ``*`` in its table.

Periods are drawn in time order (``period_key``), and a trend line joins only neighbouring periods:
it breaks where a period is missing or has no value. A measure that is not a count, proportion or
rate (life expectancy and its gaps in years, scores) gets an axis fitted to its values, drawn as
points with intervals, not as bars from zero that hide a six-year gap.

Each SVG keeps its own size (its text is 13 px) inside a box that scrolls sideways where the
screen is narrower (``chart-scroll`` in site.css): scaling it down would shrink its text.

For speed (a publication has some 160 charts): channels are ``alt.X(...)`` objects, not
``"field:Q"`` strings, which altair turns into objects by hashing its whole schema; data goes in
as inline values, not DataFrames; altair's schema checks are off unless ``VALIDATE_SPECS``.
"""

from __future__ import annotations

import re
from functools import wraps
from html import escape

import altair as alt
import pandas as pd
import vl_convert as vlc
from altair.utils.schemapi import debug_mode

from marmot.publish.site.maps import compare_with_city
from marmot.publish.site.reuse import Reuse, code_version, key

BLUE, ORANGE, GREY = "#0072B2", "#D55E00", "#505a5f"
# a ward against Coventry, in the colours of the site's badges and maps (static/site.css)
COMPARED = {"Better": "#00703c", "Similar": "#ffbf47", "Worse": "#d4351c", "Lower": "#5694ca", "Higher": "#003078",
            "Not compared": "#b1b4b6"}
WIDTH = 560
MIN_TEXT_PX = 11  # no chart text smaller than this on any screen (axis text is drawn at 13 px)
AXES = alt.Config(axis=alt.AxisConfig(labelFontSize=13, titleFontSize=13, labelColor="#0b0c0c", titleColor="#0b0c0c"),
                  legend=alt.LegendConfig(labelFontSize=13, titleFontSize=13, labelColor="#0b0c0c",
                                          titleColor="#0b0c0c"))
# altair's jsonschema checks (of each object as it is made, of each spec) took half the chart time;
# the specs come from this module, not from data: publishing skips them, tests/site/test_charts.py
# builds every chart kind with them on
VALIDATE_SPECS = False


def period_key(label: str) -> tuple[int, int]:
    """(position in time, steps per year) of a period label: '2025-03' (month), '2025-Q1', and years
    ('2025', '2024/25', the pooled '2022-2024'), which count from their first year."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        return int(m[1]) * 12 + int(m[2]), 12
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return int(m[1]) * 4 + int(m[2]), 4
    return int(label[:4]), 1


def in_time_order(periods) -> list[str]:
    return sorted(set(periods), key=lambda p: (period_key(p)[0] / period_key(p)[1], p))


def counted(unit: str | None) -> bool:
    """A proportion or rate ('%', 'per 1,000'), whose bars start at a meaningful zero."""
    return unit == "%" or (unit or "").startswith("per ")


def _plotted(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([r for r in rows if not r["suppressed"] and r["value"] is not None],
                        columns=["period", "area", "area_code", "value", "lower", "upper"])


def _data(df: pd.DataFrame) -> dict:
    """Inline values, NaN as null (altair's own conversion of a DataFrame took longer than the spec)."""
    return {"values": [{k: None if pd.isna(v) else v for k, v in r.items()} for r in df.to_dict("records")]}


def _layered(layers: list, width: int, height: int) -> alt.LayerChart:
    """Size and axis style given as the chart is made: altair deep-copies every layer on each copy of it."""
    return alt.layer(*layers, width=width, height=height, config=AXES)


REUSE: Reuse | None = None  # set by marmot.publish.site.build while a version is written: charts made before
NO_CHART = ""  # what the cache holds for "no chart" (None)


def _svg(chart: alt.TopLevelMixin, chart_id: str, title: str, desc: str) -> str:
    """The SVG, labelled, in a box that scrolls sideways (focusable, named after the chart). It may shrink to fit
    the screen only as far as its smallest text stays ``MIN_TEXT_PX``; a narrower screen scrolls the box."""
    svg = vlc.vegalite_to_svg(chart.to_json(validate=VALIDATE_SPECS))
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)"', svg)[1])
    smallest = min(float(f) for f in re.findall(r'font-size="([0-9.]+)px"', svg))
    head = (f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}" focusable="false"'
            f' style="max-width:{width:.0f}px;min-width:{width * MIN_TEXT_PX / smallest:.0f}px"')
    svg = re.sub(r"^<svg", head, svg, count=1).replace('class="marks"', 'class="chart marks"', 1)
    labels = f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    svg = re.sub(r"(<svg[^>]*>)", r"\1" + labels.replace("\\", "\\\\"), svg, count=1)
    return f'<div class="chart-scroll" role="region" tabindex="0" aria-label="{escape(title)}">{svg}</div>'


def _validated(chart_kind):
    """Altair checks each object as it is made (its debug mode) only if VALIDATE_SPECS. A chart is a pure
    function of its arguments and this code: with ``REUSE`` set, the same arguments give the chart made for an
    earlier version (building the spec with altair and vl-convert's SVG were 90% of an indicator page)."""
    @wraps(chart_kind)
    def run(*args):
        def make() -> str:
            with debug_mode(VALIDATE_SPECS):
                return chart_kind(*args) or NO_CHART
        if REUSE is None:
            return make() or None
        return REUSE.chart(key(code_version(__name__, compare_with_city.__module__), alt.__version__,
                               vlc.__version__, VALIDATE_SPECS, chart_kind.__name__, args), make) or None
    return run


def _scale(unit: str, *, trend: bool = False) -> alt.Scale:
    """Zero on the axis for bars of a proportion or rate; a trend line, or any other measure, fits its values."""
    return alt.Scale(zero=counted(unit) and not trend)


def _values(base: alt.Chart, unit: str, **channel) -> alt.Chart:
    """Bars from zero for a proportion or rate; filled points on an axis fitted to the values otherwise. Blue,
    unless ``channel`` gives a colour."""
    fixed = {} if "color" in channel else {"color": BLUE}
    if counted(unit):
        return base.mark_bar(opacity=0.85, **fixed).encode(**channel)
    return base.mark_point(filled=True, size=90, opacity=1, **fixed).encode(**channel)


def _segments(df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Sorted in time, with ``segment`` numbering the runs of neighbouring periods (the line's ``detail``): a run
    breaks at a period of ``order`` without a value, or where a period is absent ('2022' then '2024')."""
    position = {p: i for i, p in enumerate(order)}
    df = df.assign(pos=df["period"].map(position)).sort_values("pos")
    steps = [period_key(p)[0] for p in df["period"]]
    places = list(df["pos"])
    breaks = [0] + [int(b - a > 1 or q - p > 1) for a, b, p, q in zip(steps, steps[1:], places, places[1:],
                                                                         strict=False)]
    return df.assign(segment=pd.Series(breaks, index=df.index).cumsum()).drop(columns="pos")


@_validated
def trend(ind: dict, rows: list[dict]) -> str | None:
    """City value per period with its 95% interval; the line breaks where a period is missing or has no value; a
    part year (``period_note``) is an open point off the line."""
    order = in_time_order(r["period"] for r in rows)
    part = _plotted([r for r in rows if r.get("period_note")])
    df = _plotted([r for r in rows if not r.get("period_note")])
    if df.empty:
        return None
    df = _segments(df, order)
    gaps = [p for p in order if p not in set(df["period"]) | set(part["period"])]
    x = alt.X("period:O", title="Period", sort=order, scale=alt.Scale(domain=order), axis=alt.Axis(labelAngle=0))
    scale = _scale(ind["unit"], trend=True)
    y = alt.Y("value:Q", title=ind["unit"] or "value", scale=scale)
    base = alt.Chart(_data(df)).encode(x=x)
    layers = [base.mark_rule(color=GREY, strokeWidth=2).encode(y=alt.Y("lower:Q", scale=scale), y2=alt.Y2("upper:Q")),
              base.mark_line(color=BLUE, point=alt.OverlayMarkDef(color=BLUE, size=60)).encode(
                  y=y, detail=alt.Detail("segment:N"))]
    first, last = df.iloc[0], df.iloc[-1]
    desc = (f"Coventry, {len(df)} periods from {first.period} ({first.value:.1f}) to {last.period} "
            f"({last.value:.1f}), with 95% confidence intervals as vertical lines.")
    if gaps:
        desc += f" No value for {', '.join(gaps)}: the line is broken there."
    if not part.empty:
        layers.append(alt.Chart(_data(part)).mark_point(color=BLUE, filled=False, size=80).encode(
            x=x, y=alt.Y("value:Q", scale=scale)))
        parts = "; ".join(f"{r.period} ({r.value:.1f})" for r in part.itertuples())
        desc += f" Part year, shown as an open point and not joined to the line: {parts}."
    england = pd.DataFrame([(r["period"], r["england"]) for r in rows if r.get("england") is not None],
                           columns=["period", "value"])
    if not england.empty:
        england = _segments(england, order)
        layers.append(alt.Chart(_data(england)).mark_line(color=ORANGE, strokeDash=[6, 4]).encode(
            x=x, y=alt.Y("value:Q", scale=scale), detail=alt.Detail("segment:N")))
        desc += f" Dashed line: England, {england.iloc[-1].value:.1f} in {england.iloc[-1].period}."
    return _svg(_layered(layers, WIDTH, 240), f"trend-{ind['id']}",
                f"Trend: {ind['name']} ({ind['unit']})", desc)


@_validated
def gradient(ind: dict, rows: list[dict], city: dict | None) -> str | None:
    """Value by IMD quintile (Q1 most deprived) with intervals; dashed line at the city value."""
    df = _plotted(rows)
    if df.empty:
        return None
    x = alt.X("area_code:N", title="IMD quintile (Q1 most deprived, Q5 least deprived)", sort=None,
              axis=alt.Axis(labelAngle=0))
    base = alt.Chart(_data(df)).encode(x=x)
    scale = _scale(ind["unit"])
    y = alt.Y("value:Q", title=ind["unit"] or "value", scale=scale)
    layers = [_values(base, ind["unit"], y=y),
              base.mark_rule(color="#000000", strokeWidth=2).encode(y=alt.Y("lower:Q", scale=scale),
                                                                    y2=alt.Y2("upper:Q"))]
    desc = "; ".join(f"{r.area} {r.value:.1f}" for r in df.itertuples())
    if city and not city["suppressed"] and city["value"] is not None:
        layers.append(alt.Chart({"values": [{"value": city["value"]}]}).mark_rule(
            color=ORANGE, strokeDash=[6, 4], strokeWidth=2).encode(y=alt.Y("value:Q", scale=scale)))
        desc += f". Dashed line: Coventry {city['value']:.1f}."
    return _svg(_layered(layers, WIDTH, 240), f"gradient-{ind['id']}",
                f"Deprivation gradient: {ind['name']}, {ind['period']}", desc)


@_validated
def wards(ind: dict, rows: list[dict], city: dict | None) -> str | None:
    """Ward values, highest first, with intervals, coloured by how each compares with Coventry (as the map and the
    ward table say it); dashed line at the city value."""
    df = _plotted(rows)
    if df.empty:
        return None
    compared = {r["area_code"]: compare_with_city(r, city, ind.get("polarity")) for r in rows}
    df = df.assign(compared=df["area_code"].map(compared)).sort_values("value", ascending=False)
    shown = [c for c in COMPARED if c in set(df["compared"])]
    colour = alt.Color("compared:N", title="Compared with Coventry",
                       scale=alt.Scale(domain=shown, range=[COMPARED[c] for c in shown]),
                       legend=alt.Legend(orient="bottom", direction="horizontal"))
    y = alt.Y("area:N", title=None, sort=None)
    base = alt.Chart(_data(df)).encode(y=y)
    scale = _scale(ind["unit"])
    layers = [_values(base, ind["unit"], x=alt.X("value:Q", title=ind["unit"] or "value", scale=scale),
                      color=colour),
              base.mark_rule(color="#000000").encode(x=alt.X("lower:Q", scale=scale), x2=alt.X2("upper:Q"))]
    if city and not city["suppressed"] and city["value"] is not None:
        layers.append(alt.Chart({"values": [{"value": city["value"]}]}).mark_rule(
            color=ORANGE, strokeDash=[6, 4], strokeWidth=2).encode(x=alt.X("value:Q", scale=scale)))
    top, bottom = df.iloc[0], df.iloc[-1]
    counts = ", ".join(f"{(df['compared'] == c).sum()} {c.lower()}" for c in shown)
    desc = (f"{len(df)} wards; highest {top.area} ({top.value:.1f}), lowest {bottom.area} ({bottom.value:.1f}). "
            f"Against Coventry: {counts}. The dashed line is Coventry.")
    return _svg(_layered(layers, WIDTH - 120, 26 * len(df)), f"wards-{ind['id']}",
                f"Wards: {ind['name']}, {ind['period']}", desc)


@_validated
def sii(ind: dict, rows: list[dict]) -> str | None:
    """Slope index of inequality per period (mart_indicator_inequalities rows) with its 95% interval; a solid line
    at 0 (no inequality). Periods without an SII are left out (the table beside it says why)."""
    df = pd.DataFrame([{"period": r["period"], "value": r["sii"], "lower": r["sii_lower_95"],
                        "upper": r["sii_upper_95"]} for r in rows if r["sii"] is not None],
                      columns=["period", "value", "lower", "upper"])
    if df.empty:
        return None
    x = alt.X("period:O", title="Period", sort=None, axis=alt.Axis(labelAngle=0))
    base = alt.Chart(_data(df)).encode(x=x)
    layers = [alt.Chart({"values": [{"value": 0}]}).mark_rule(color=GREY).encode(y=alt.Y("value:Q")),
              base.mark_rule(color=GREY, strokeWidth=2).encode(y=alt.Y("lower:Q"), y2=alt.Y2("upper:Q")),
              base.mark_point(color=BLUE, filled=True, size=60).encode(
                  y=alt.Y("value:Q", title=f"SII ({ind['unit']})" if ind["unit"] else "SII"))]
    desc = ("Slope index of inequality (least minus most deprived) per period with 95% confidence intervals as "
            "vertical lines: " + "; ".join(f"{r.period} {r.value:.1f}" for r in df.itertuples()) + ".")
    return _svg(_layered(layers, WIDTH, 200), f"sii-{ind['id']}", f"Slope index of inequality: {ind['name']} "
                f"({ind['unit']})", desc)
