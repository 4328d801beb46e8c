"""Charts: Vega-Lite specs built with altair, rendered to static SVG at build time (vl-convert).

No JavaScript, no network. Every SVG gets ``role="img"`` with a ``<title>`` and ``<desc>`` (the
page also carries the data table behind each chart). Colours are Okabe-Ito (colour-blind safe);
suppressed values are left out of the chart and shown as ``*`` in its table.
"""

from __future__ import annotations

import re
from html import escape

import altair as alt
import pandas as pd
import vl_convert as vlc

BLUE, ORANGE, GREY = "#0072B2", "#D55E00", "#505a5f"
WIDTH = 560


def _plotted(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([r for r in rows if not r["suppressed"] and r["value"] is not None],
                        columns=["period", "area", "area_code", "value", "lower", "upper"])


def _svg(chart: alt.TopLevelMixin, chart_id: str, title: str, desc: str) -> str:
    chart = chart.configure_axis(labelFontSize=13, titleFontSize=13, labelColor="#0b0c0c", titleColor="#0b0c0c")
    svg = vlc.vegalite_to_svg(chart.to_json())
    head = (f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}"'
            f' class="chart" focusable="false"')
    svg = re.sub(r"^<svg", head, svg, count=1)
    labels = f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    return re.sub(r"(<svg[^>]*>)", r"\1" + labels.replace("\\", "\\\\"), svg, count=1)


def _y(unit: str) -> alt.Y:
    return alt.Y("value:Q", title=unit or "value", scale=alt.Scale(zero=False))


def trend(ind: dict, rows: list[dict]) -> str | None:
    """City value per period with its 95% interval."""
    df = _plotted(rows)
    if df.empty:
        return None
    x = alt.X("period:O", title="Period", sort=None, axis=alt.Axis(labelAngle=0))
    base = alt.Chart(df).encode(x=x)
    layers = [base.mark_rule(color=GREY, strokeWidth=2).encode(y=alt.Y("lower:Q"), y2="upper:Q"),
              base.mark_line(color=BLUE, point=alt.OverlayMarkDef(color=BLUE, size=60)).encode(y=_y(ind["unit"]))]
    first, last = df.iloc[0], df.iloc[-1]
    desc = (f"Coventry, {len(df)} periods from {first.period} ({first.value:.1f}) to {last.period} "
            f"({last.value:.1f}), with 95% confidence intervals as vertical lines.")
    england = pd.DataFrame([(r["period"], r["england"]) for r in rows if r.get("england") is not None],
                           columns=["period", "value"])
    if not england.empty:
        layers.append(alt.Chart(england).mark_line(color=ORANGE, strokeDash=[6, 4]).encode(x=x, y="value:Q"))
        desc += f" Dashed line: England, {england.iloc[-1].value:.1f} in {england.iloc[-1].period}."
    return _svg(alt.layer(*layers).properties(width=WIDTH, height=240), f"trend-{ind['id']}",
                f"Trend: {ind['name']} ({ind['unit']})", desc)


def gradient(ind: dict, rows: list[dict], city: dict | None) -> str | None:
    """Value by IMD quintile (Q1 most deprived) with intervals; dashed line at the city value."""
    df = _plotted(rows)
    if df.empty:
        return None
    x = alt.X("area_code:N", title="IMD quintile (Q1 most deprived, Q5 least deprived)", sort=None,
              axis=alt.Axis(labelAngle=0))
    base = alt.Chart(df).encode(x=x)
    layers = [base.mark_bar(color=BLUE, opacity=0.85).encode(y=alt.Y("value:Q", title=ind["unit"] or "value")),
              base.mark_rule(color="#000000", strokeWidth=2).encode(y="lower:Q", y2="upper:Q")]
    desc = "; ".join(f"{r.area} {r.value:.1f}" for r in df.itertuples())
    if city and not city["suppressed"] and city["value"] is not None:
        layers.append(alt.Chart(pd.DataFrame({"value": [city["value"]]})).mark_rule(
            color=ORANGE, strokeDash=[6, 4], strokeWidth=2).encode(y="value:Q"))
        desc += f". Dashed line: Coventry {city['value']:.1f}."
    return _svg(alt.layer(*layers).properties(width=WIDTH, height=240), f"gradient-{ind['id']}",
                f"Deprivation gradient: {ind['name']}, {ind['period']}", desc)


def wards(ind: dict, rows: list[dict], city: dict | None) -> str | None:
    """Ward values, highest first, with intervals; dashed line at the city value."""
    df = _plotted(rows).sort_values("value", ascending=False)
    if df.empty:
        return None
    y = alt.Y("area:N", title=None, sort=None)
    base = alt.Chart(df).encode(y=y)
    layers = [base.mark_bar(color=BLUE, opacity=0.85).encode(x=alt.X("value:Q", title=ind["unit"] or "value")),
              base.mark_rule(color="#000000").encode(x="lower:Q", x2="upper:Q")]
    if city and not city["suppressed"] and city["value"] is not None:
        layers.append(alt.Chart(pd.DataFrame({"value": [city["value"]]})).mark_rule(
            color=ORANGE, strokeDash=[6, 4], strokeWidth=2).encode(x="value:Q"))
    top, bottom = df.iloc[0], df.iloc[-1]
    desc = (f"{len(df)} wards; highest {top.area} ({top.value:.1f}), lowest {bottom.area} ({bottom.value:.1f}). "
            "The dashed line is Coventry.")
    return _svg(alt.layer(*layers).properties(width=WIDTH - 120, height=26 * len(df)), f"wards-{ind['id']}",
                f"Wards: {ind['name']}, {ind['period']}", desc)
