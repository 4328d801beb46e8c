"""Every chart kind is built from a spec that passes altair's schema checks, which publishing skips; periods in
time order with the line broken at a gap; axes that show the differences; text never below 11 px."""

from __future__ import annotations

import re

import altair as alt
import pytest
from altair.utils.schemapi import SchemaValidationError

from marmot.publish.site import charts

IND = {"id": "p1_lbw", "name": "Low birth weight", "unit": "%", "period": "2025/26"}
CITY = {"suppressed": False, "value": 3.9}


def _row(period: str, code: str, area: str, value: float | None, england: float | None = None) -> dict:
    return {"period": period, "area_code": code, "area": area, "value": value, "suppressed": value is None,
            "lower": None if value is None else value - 0.5, "upper": None if value is None else value + 0.5,
            "england": england}


TREND = [_row(p, "E08000026", "Coventry", v, 2.9) for p, v in [("2023/24", 3.5), ("2024/25", 3.7), ("2025/26", 3.9)]]
QUINTILES = [_row("2025/26", f"Q{q}", f"Quintile {q}", 5.0 - q / 2) for q in range(1, 6)]
SII = [{"period": p, "sii": v, "sii_lower_95": None if v is None else v - 1,
        "sii_upper_95": None if v is None else v + 1} for p, v in [("2023/24", -1.5), ("2024/25", None),
                                                                  ("2025/26", -1.2)]]
WARDS = [_row("2025/26", "E05001218", "Foleshill", 4.8), _row("2025/26", "E05001219", "Earlsdon", 2.6),
         _row("2025/26", "E05001220", "Wainbody", None)]


@pytest.fixture
def validated(monkeypatch):
    monkeypatch.setattr(charts, "VALIDATE_SPECS", True)


@pytest.mark.parametrize("kind, args, title", [
    ("trend", (IND, TREND), "Trend: Low birth weight (%)"),
    ("gradient", (IND, QUINTILES, CITY), "Deprivation gradient: Low birth weight, 2025/26"),
    ("wards", (IND, WARDS, CITY), "Wards: Low birth weight, 2025/26"),
    ("sii", (IND, SII), "Slope index of inequality: Low birth weight (%)"),
])
def test_each_chart_kind_renders_from_a_valid_spec(validated, kind, args, title):
    svg = getattr(charts, kind)(*args)
    chart_id = f"{kind}-{IND['id']}"
    assert svg.startswith(f'<div class="chart-scroll" role="region" tabindex="0" aria-label="{title}">'
                          f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}"')
    assert f'<title id="{chart_id}-t">{title}</title>' in svg and "mark-" in svg
    assert re.search(r"<svg[^>]*>", svg)[0].count("class=") == 1  # 'chart', not a second class attribute


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def _line_paths(svg: str) -> list[str]:
    """The path of each city line drawn (one per unbroken run of periods)."""
    return re.findall(rf'aria-roledescription="line mark" d="(M[^"]*)" stroke="{charts.BLUE}"', svg)


def test_trend_periods_in_time_order_and_the_line_broken_where_a_period_has_no_value():
    """As seen: the city had no value for 2022 but England had one, and the axis read 2023, 2024, 2025, 2022."""
    rows = [_row("2023", "c", "Coventry", 76.0, 79.0), _row("2024", "c", "Coventry", 76.5, 79.1),
            _row("2025", "c", "Coventry", 77.0, 79.1), _row("2022", "c", "Coventry", None, 79.0),
            _row("2020", "c", "Coventry", 75.0, 78.9), _row("2019", "c", "Coventry", 74.8, 78.9)]
    svg = charts.trend({**IND, "unit": "years"}, rows)
    assert _texts(svg)[:5] == ["2019", "2020", "2022", "2023", "2024"] and _texts(svg)[5] == "2025"
    city = _line_paths(svg)
    assert len(city) == 2 and [p.count("L") for p in city] == [1, 2]  # 2019-2020 and 2023-2025: not over 2022
    assert "No value for 2022: the line is broken there." in svg


@pytest.mark.parametrize("periods, runs", [
    (["2023/24", "2021/22", "2024/25"], [1, 2]),  # a year absent from every row
    (["2024-Q4", "2025-Q1", "2025-Q3"], [2, 1]),
    (["2025-11", "2025-12", "2026-01"], [3]),  # months run on over the turn of a year
    (["2019-2021", "2020-2022", "2022-2024"], [2, 1]),  # pooled three-year windows
])
def test_only_neighbouring_periods_are_joined(periods, runs):
    svg = charts.trend(IND, [_row(p, "c", "Coventry", 3.0 + i / 10) for i, p in enumerate(periods)])
    assert [p.count("L") + 1 for p in _line_paths(svg)] == runs
    assert _texts(svg)[:3] == sorted(periods)


def _axis_values(svg: str, labels: int) -> list[float]:
    return [float(t) for t in _texts(svg)[labels:] if re.fullmatch(r"-?[0-9.]+", t)]


def test_an_axis_shows_the_differences_of_a_measure_that_is_not_a_count():
    """Life expectancy by quintile, 74 to 80 years: an axis from 0 made the six-year gap invisible; a proportion's
    bars still start at 0."""
    quintiles = [_row("2025", f"Q{q}", f"Q{q}", 73.5 + 1.5 * q) for q in range(1, 6)]
    years = charts.gradient({**IND, "unit": "years"}, quintiles, {"suppressed": False, "value": 77.0})
    assert min(_axis_values(years, 5)) >= 70 and "mark-symbol" in years and "mark-rect" not in years
    wards = charts.wards({**IND, "unit": "years"}, [_row("2025", "w1", "Foleshill", 74.0),
                                                    _row("2025", "w2", "Wainbody", 82.0)], None)
    assert min(float(t) for t in _texts(wards) if re.fullmatch(r"[0-9.]+", t)) >= 70
    percent = charts.gradient(IND, QUINTILES, CITY)
    assert min(_axis_values(percent, 5)) == 0 and "mark-rect" in percent
    trend = charts.trend({**IND, "unit": "years"},
                         [_row(str(y), "c", "Coventry", 76 + y % 3) for y in range(2020, 2025)])
    assert min(_axis_values(trend, 5)) >= 70


@pytest.mark.parametrize("kind, args", [("trend", (IND, TREND)), ("gradient", (IND, QUINTILES, CITY)),
                                        ("wards", (IND, WARDS, CITY))])
def test_a_chart_never_shrinks_its_text_below_11_px(kind, args):
    svg = getattr(charts, kind)(*args)
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)"', svg)[1])
    min_width = float(re.search(r"min-width:([0-9.]+)px", svg)[1])
    sizes = {float(f) for f in re.findall(r'font-size="([0-9.]+)px"', svg)}
    assert sizes and min(sizes) * min_width / width >= charts.MIN_TEXT_PX - 0.05


def test_an_invalid_spec_fails_when_checked(validated, monkeypatch):
    monkeypatch.setattr(charts, "_scale", lambda unit, trend=False: alt.Scale(zero="no"))
    with pytest.raises(SchemaValidationError):
        charts.trend(IND, TREND)


def test_ward_bars_are_coloured_by_how_each_ward_compares_with_coventry():
    """Foleshill's interval (4.3-5.3) is above Coventry's 3.9 and Earlsdon's (2.1-3.1) below: for low birth weight
    (low is good) worse and better, in the badges' colours, with a legend naming them; no polarity: higher, lower."""
    svg = charts.wards({**IND, "polarity": "LiG"}, WARDS, CITY)
    bars = re.findall(r'aria-roledescription="bar"[^>]*fill="(#[0-9a-f]{6})"', svg)
    assert sorted(bars) == sorted([charts.COMPARED["Worse"], charts.COMPARED["Better"]])
    assert {"Compared with Coventry", "Better", "Worse"} <= set(_texts(svg))
    assert "Against Coventry: 1 better, 1 worse." in svg
    neither = charts.wards({**IND, "polarity": None}, WARDS, CITY)
    assert {"Higher", "Lower"} <= set(_texts(neither)) and "Worse" not in _texts(neither)
