"""Every chart kind is built from a spec that passes altair's schema checks, which publishing skips."""

from __future__ import annotations

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
    assert svg.startswith(f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}"')
    assert f'<title id="{chart_id}-t">{title}</title>' in svg and "mark-" in svg


def test_an_invalid_spec_fails_when_checked(validated, monkeypatch):
    monkeypatch.setattr(charts, "_y", lambda unit: alt.Y("value:Q", scale=alt.Scale(zero="no")))
    with pytest.raises(SchemaValidationError):
        charts.trend(IND, TREND)
