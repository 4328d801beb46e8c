"""An independent recomputation of the published figures agrees with them: every unsuppressed proportion's
Wilson interval and every crude rate's interval at 95% and 99.8% (scipy, not marmot.stats), and every England
comparison from the published interval and England value by the Fingertips rule."""

from __future__ import annotations

import math

import pytest
from scipy import stats

LEVELS = {0.95: ("lower_95", "upper_95"), 0.998: ("lower_998", "upper_998")}


def _rows(warehouse, method: str) -> list[dict]:
    cur = warehouse.execute(
        "SELECT v.*, c.multiplier FROM marts.mart_indicator_values AS v "
        "JOIN reference.indicator_catalogue AS c USING (indicator_id) "
        "WHERE v.method = ? AND NOT v.is_suppressed AND v.value IS NOT NULL", [method])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _byar_or_exact(x: float, confidence: float) -> tuple[float, float]:
    """Poisson limits of a count: exact (chi-square) below 10 events, Byar's approximation from 10 (PHE rule)."""
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    if x < 10:
        alpha = 1 - confidence
        lower = stats.chi2.ppf(alpha / 2, 2 * x) / 2 if x > 0 else 0.0
        return lower, stats.chi2.ppf(1 - alpha / 2, 2 * (x + 1)) / 2
    return (x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3,
            (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3)


def test_every_published_proportion_has_the_wilson_interval_scipy_computes(warehouse):
    rows = _rows(warehouse, "wilson")
    assert len(rows) > 1000
    for r in rows:
        k, n, m = int(r["numerator"]), int(r["denominator"]), r["multiplier"]
        assert r["value"] == pytest.approx(k / n * m, abs=1e-4)
        for confidence, (lower, upper) in LEVELS.items():
            ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
            assert (r[lower], r[upper]) == pytest.approx((ci.low * m, ci.high * m), abs=1e-4), (r, confidence)


def test_every_published_crude_rate_has_its_poisson_interval(warehouse):
    rows = _rows(warehouse, "rate")
    assert len(rows) > 100
    for r in rows:
        x, n, m = r["numerator"], r["denominator"], r["multiplier"]
        assert r["value"] == pytest.approx(x / n * m, rel=1e-6, abs=1e-4)
        for confidence, (lower, upper) in LEVELS.items():
            low, high = _byar_or_exact(x, confidence)
            assert (r[lower], r[upper]) == pytest.approx((low / n * m, high / n * m), rel=1e-6, abs=1e-4), r


def test_every_england_comparison_follows_from_the_published_interval(warehouse):
    """Fingertips method 1: Better/Worse (Higher/Lower for no-judgement indicators) when England's value lies
    outside the 95% interval, Similar inside it; part periods are 'Not compared'."""
    cur = warehouse.execute(
        "SELECT value, lower_95, upper_95, england_value, england_comparison, polarity, period_is_complete "
        "FROM marts.mart_indicator_values WHERE NOT is_suppressed")
    checked = 0
    for value, lower, upper, england, comparison, polarity, complete in cur.fetchall():
        if not complete:
            assert comparison == "Not compared"
            continue
        if value is None or lower is None or england is None:
            assert comparison in (None, "Not compared"), (value, lower, england, comparison)
            continue
        if lower <= england <= upper:
            expected = "Similar"
        else:
            higher = lower > england
            expected = {"HiG": "Better" if higher else "Worse", "LiG": "Worse" if higher else "Better",
                        "BOB": "Higher" if higher else "Lower"}[polarity]
        assert comparison == expected, (value, lower, upper, england, polarity, comparison)
        checked += 1
    assert checked > 1000
