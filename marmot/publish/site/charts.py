"""Charts: Vega-Lite specs built with altair, rendered to static SVG at build time (vl-convert).

No JavaScript, no network. Every SVG gets ``role="img"`` with a ``<title>`` and ``<desc>`` (the
page also carries the data table behind each chart). Colours are Okabe-Ito (colour-blind safe);
suppressed values are left out of the chart and shown as ``*`` in its table.

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

BLUE, ORANGE, GREY = "#0072B2", "#D55E00", "#505a5f"
WIDTH = 560
AXES = alt.Config(axis=alt.AxisConfig(labelFontSize=13, titleFontSize=13, labelColor="#0b0c0c", titleColor="#0b0c0c"))
# altair's jsonschema checks (of each object as it is made, of each spec) took half the chart time;
# the specs come from this module, not from data: publishing skips them, tests/site/test_charts.py
# builds every chart kind with them on
VALIDATE_SPECS = False


def _plotted(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([r for r in rows if not r["suppressed"] and r["value"] is not None],
                        columns=["period", "area", "area_code", "value", "lower", "upper"])


def _data(df: pd.DataFrame) -> dict:
    """Inline values, NaN as null (altair's own conversion of a DataFrame took longer than the spec)."""
    return {"values": [{k: None if pd.isna(v) else v for k, v in r.items()} for r in df.to_dict("records")]}


def _layered(layers: list, width: int, height: int) -> alt.LayerChart:
    """Size and axis style given as the chart is made: altair deep-copies every layer on each copy of it."""
    return alt.layer(*layers, width=width, height=height, config=AXES)


def _svg(chart: alt.TopLevelMixin, chart_id: str, title: str, desc: str) -> str:
    svg = vlc.vegalite_to_svg(chart.to_json(validate=VALIDATE_SPECS))
    head = (f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}"'
            f' class="chart" focusable="false"')
    svg = re.sub(r"^<svg", head, svg, count=1)
    labels = f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    return re.sub(r"(<svg[^>]*>)", r"\1" + labels.replace("\\", "\\\\"), svg, count=1)


def _validated(chart_kind):
    """Altair checks each object as it is made (its debug mode) only if VALIDATE_SPECS."""
    @wraps(chart_kind)
    def run(*args):
        with debug_mode(VALIDATE_SPECS):
            return chart_kind(*args)
    return run


def _y(unit: str) -> alt.Y:
    return alt.Y("value:Q", title=unit or "value", scale=alt.Scale(zero=False))


@_validated
def trend(ind: dict, rows: list[dict]) -> str | None:
    """City value per period with its 95% interval; a part year (``period_note``) is an open point off the line."""
    part = _plotted([r for r in rows if r.get("period_note")])
    df = _plotted([r for r in rows if not r.get("period_note")])
    if df.empty:
        return None
    x = alt.X("period:O", title="Period", sort=None, axis=alt.Axis(labelAngle=0))
    base = alt.Chart(_data(df)).encode(x=x)
    layers = [base.mark_rule(color=GREY, strokeWidth=2).encode(y=alt.Y("lower:Q"), y2=alt.Y2("upper:Q")),
              base.mark_line(color=BLUE, point=alt.OverlayMarkDef(color=BLUE, size=60)).encode(y=_y(ind["unit"]))]
    first, last = df.iloc[0], df.iloc[-1]
    desc = (f"Coventry, {len(df)} periods from {first.period} ({first.value:.1f}) to {last.period} "
            f"({last.value:.1f}), with 95% confidence intervals as vertical lines.")
    if not part.empty:
        layers.append(alt.Chart(_data(part)).mark_point(color=BLUE, filled=False, size=80).encode(
            x=x, y=alt.Y("value:Q")))
        parts = "; ".join(f"{r.period} ({r.value:.1f})" for r in part.itertuples())
        desc += f" Part year, shown as an open point and not joined to the line: {parts}."
    england = pd.DataFrame([(r["period"], r["england"]) for r in rows if r.get("england") is not None],
                           columns=["period", "value"])
    if not england.empty:
        layers.append(alt.Chart(_data(england)).mark_line(color=ORANGE, strokeDash=[6, 4]).encode(
            x=x, y=alt.Y("value:Q")))
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
    layers = [base.mark_bar(color=BLUE, opacity=0.85).encode(y=alt.Y("value:Q", title=ind["unit"] or "value")),
              base.mark_rule(color="#000000", strokeWidth=2).encode(y=alt.Y("lower:Q"), y2=alt.Y2("upper:Q"))]
    desc = "; ".join(f"{r.area} {r.value:.1f}" for r in df.itertuples())
    if city and not city["suppressed"] and city["value"] is not None:
        layers.append(alt.Chart({"values": [{"value": city["value"]}]}).mark_rule(
            color=ORANGE, strokeDash=[6, 4], strokeWidth=2).encode(y=alt.Y("value:Q")))
        desc += f". Dashed line: Coventry {city['value']:.1f}."
    return _svg(_layered(layers, WIDTH, 240), f"gradient-{ind['id']}",
                f"Deprivation gradient: {ind['name']}, {ind['period']}", desc)


@_validated
def wards(ind: dict, rows: list[dict], city: dict | None) -> str | None:
    """Ward values, highest first, with intervals; dashed line at the city value."""
    df = _plotted(rows).sort_values("value", ascending=False)
    if df.empty:
        return None
    y = alt.Y("area:N", title=None, sort=None)
    base = alt.Chart(_data(df)).encode(y=y)
    layers = [base.mark_bar(color=BLUE, opacity=0.85).encode(x=alt.X("value:Q", title=ind["unit"] or "value")),
              base.mark_rule(color="#000000").encode(x=alt.X("lower:Q"), x2=alt.X2("upper:Q"))]
    if city and not city["suppressed"] and city["value"] is not None:
        layers.append(alt.Chart({"values": [{"value": city["value"]}]}).mark_rule(
            color=ORANGE, strokeDash=[6, 4], strokeWidth=2).encode(x=alt.X("value:Q")))
    top, bottom = df.iloc[0], df.iloc[-1]
    desc = (f"{len(df)} wards; highest {top.area} ({top.value:.1f}), lowest {bottom.area} ({bottom.value:.1f}). "
            "The dashed line is Coventry.")
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
