"""An independent recomputation of the published figures agrees with them: every unsuppressed proportion's
Wilson interval and every crude rate's interval at 95% and 99.8% (scipy, not marmot.stats), every England
comparison from the published interval and England value by the Fingertips rule, and every slope and relative
index of inequality from the published quintile values (numpy's weighted least squares and a simulation of
its own, not marmot.stats.sii)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

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


# catalogue method -> (scale of the fit, inverse) as PHEindicatormethods phe_sii(transform = TRUE) fits them:
# proportions on the logit of the fraction, rates on the log, other values as they are
FITS = {"wilson": (special.logit, special.expit), "survey_wilson": (special.logit, special.expit),
        "rate": (np.log, np.exp), "dsr": (np.log, np.exp)}
IDENTITY = (np.asarray, np.asarray)


def _independent_sii(quintiles: list[tuple], method: str, multiplier: float, draws: int, seed: int):
    """(sii, rii, sii 95% limits) of quintile rows (value, lower_95, upper_95, denominator), most deprived
    first: a population-weighted straight line through the values at the midpoints of their cumulative
    population share (np.polyfit, weights sqrt(share)), the SII the fitted least minus most deprived end."""
    forward, inverse = FITS.get(method, IDENTITY)
    scale = multiplier if forward is special.logit else 1.0
    value, lower, upper, population = (np.array(c, dtype=float) for c in zip(*quintiles, strict=True))
    share = population / population.sum()
    rank = np.cumsum(share) - share / 2

    def ends(y):
        slope, intercept = np.polyfit(rank, y, 1, w=np.sqrt(share))
        return inverse(intercept) * scale, inverse(intercept + slope) * scale

    most, least = ends(forward(value / scale))
    se = (forward(upper / scale) - forward(lower / scale)) / (2 * stats.norm.ppf(0.975))
    simulated = np.random.default_rng(seed).normal(forward(value / scale), se, size=(draws, len(value)))
    sim_most, sim_least = ends(simulated.T)
    sims = sim_least - sim_most
    return least - most, least / most, tuple(np.quantile(sims, [0.025, 0.975]))


def test_every_published_sii_is_what_an_independent_regression_gives(warehouse):
    """The SII and RII agree with numpy's weighted fit of the published quintile values; the SII's 95% limits
    agree with a simulation of 20,000 draws of its own to within 5% of the interval's width (Monte Carlo
    error of either is about 1%)."""
    rows = warehouse.execute(
        "SELECT i.indicator_id, i.period, i.sii, i.sii_lower_95, i.sii_upper_95, i.rii, c.method, c.multiplier "
        "FROM marts.mart_indicator_inequalities AS i JOIN reference.indicator_catalogue AS c USING (indicator_id) "
        "WHERE i.sii IS NOT NULL ORDER BY 1, 2").fetchall()
    assert len(rows) > 50
    methods = set()
    for indicator_id, period, sii, sii_lower, sii_upper, rii, method, multiplier in rows:
        quintiles = warehouse.execute(
            "SELECT value, lower_95, upper_95, denominator FROM marts.mart_indicator_values "
            "WHERE indicator_id = ? AND period = ? AND geography_level = 'imd_quintile' ORDER BY area_code",
            [indicator_id, period]).fetchall()
        assert len(quintiles) == 5, (indicator_id, period)
        expected, expected_rii, (low, high) = _independent_sii(quintiles, method, float(multiplier), 20_000, 7)
        where = (indicator_id, period)
        assert sii == pytest.approx(expected, rel=1e-3, abs=1e-3), where
        assert rii == pytest.approx(expected_rii, rel=1e-3, abs=1e-3), where
        width = high - low
        assert abs(sii_lower - low) < 0.05 * width + 1e-3 and abs(sii_upper - high) < 0.05 * width + 1e-3, (
            where, (sii_lower, sii_upper), (low, high))
        methods.add(method)
    assert {"wilson", "rate"} <= methods  # both transformed fits were checked, not only the untransformed one
