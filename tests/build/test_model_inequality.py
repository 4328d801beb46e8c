"""Quintile gaps, SII/RII and group comparisons (marmot.build.models.inequality) on small
disclosure-controlled frames with known answers."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pandas as pd
import pytest

from marmot.build.models.inequality import SII_REPETITIONS, group_comparisons, quintile_gaps, quintile_sii
from marmot.stats import sii

from .test_model_benchmarking import _row

POPULATIONS = [300.0, 250.0, 200.0, 150.0, 100.0]  # Q1..Q5
SHARES = np.array(POPULATIONS) / sum(POPULATIONS)
RANKS = np.cumsum(SHARES) - SHARES / 2  # 0.15, 0.425, 0.65, 0.825, 0.95


def _quintiles(indicator_id, period, values, half_width=1.0, hidden=(), missing=()):
    return [_row(indicator_id, period, "imd_quintile", f"Q{q}", n=n, value=v, lower=v - half_width,
                 upper=v + half_width, suppressed=f"Q{q}" in hidden)
            for q, (n, v) in enumerate(zip(POPULATIONS, values, strict=True), start=1) if f"Q{q}" not in missing]


def _line(intercept, slope):
    """Quintile values exactly on a line in the population rank: the SII is the slope, the RII (a + b) / a."""
    return list(intercept + slope * RANKS)


def _catalogue(**indicators):
    return pd.DataFrame([{"indicator_id": i, "method": m, "polarity": p, "pooled_years": 1, "multiplier": mult,
                          "unit": unit} for i, (m, p, mult, unit) in indicators.items()])


def _periods(values, part=()):
    periods = values[["indicator_id", "period"]].drop_duplicates()
    return periods.assign(is_usable=[(i, p) not in part for i, p in zip(periods["indicator_id"], periods["period"],
                                                                        strict=True)])


def _sii(values, catalogue, part=()):
    values = pd.DataFrame(values)
    return quintile_sii(values, catalogue, _periods(values, part)).set_index(["indicator_id", "period"])


MEAN = ("mean", "HiG", 1.0, "score")


def test_the_sii_of_quintile_values_on_a_line_is_their_slope_least_minus_most_deprived():
    out = _sii(_quintiles("score", "2024", _line(40, 12)), _catalogue(score=MEAN)).loc[("score", "2024")]
    assert out["sii"] == pytest.approx(12, rel=1e-12)
    assert out["rii"] == pytest.approx(52 / 40, rel=1e-12)
    assert out["sii_lower_95"] < 12 < out["sii_upper_95"] and out["rii_lower_95"] < 1.3 < out["rii_upper_95"]
    assert pd.isna(out["sii_reason"])
    assert "high is good for this indicator, so a positive value means the least deprived do better" in \
        out["sii_definition"] and "in score between the least and the most deprived" in out["sii_definition"]


def test_a_proportion_is_fitted_on_the_logit_scale_with_its_multiplier_as_phe_sii_would_be_called():
    values = [30.0, 25.0, 20.0, 15.0, 10.0]  # % falling with deprivation: low is good, the least deprived do better
    frame = _quintiles("smoking", "2024", values, half_width=2.0)
    out = _sii(frame, _catalogue(smoking=("wilson", "LiG", 100.0, "%"))).loc[("smoking", "2024")]
    expected = sii(POPULATIONS, np.array(values) / 100, lower=(np.array(values) - 2) / 100,
                   upper=(np.array(values) + 2) / 100, value_type=2, transform=True, multiplier=100,
                   repetitions=SII_REPETITIONS, rng=zlib.crc32(b"smoking|2024"))  # its seed
    assert (out["sii"], out["rii"]) == pytest.approx((expected.sii, expected.rii), rel=1e-12)
    assert (out["sii_lower_95"], out["sii_upper_95"]) == pytest.approx(expected.sii_limits[0], rel=1e-12)
    assert out["sii"] < 0 and out["rii"] < 1  # in % points, lower at the least deprived end
    assert "low is good for this indicator, so a positive value means the least deprived do worse" in \
        out["sii_definition"]


def test_every_row_without_an_sii_says_why():
    values = (_quintiles("score", "2021", _line(40, 12), hidden={"Q3"})
              + _quintiles("score", "2022", _line(40, 12), missing={"Q5"})
              + _quintiles("pm25", "2022", _line(9, -1))
              + _quintiles("smoking", "2022", [0.0, 5.0, 10.0, 15.0, 20.0]))
    frame = pd.DataFrame(values)
    frame.loc[frame["indicator_id"] == "pm25", ["published_lower_95", "published_upper_95"]] = np.nan
    catalogue = _catalogue(score=MEAN, pm25=("weighted_mean", "LiG", 1.0, "µg/m³"),
                           smoking=("wilson", "LiG", 100.0, "%"))
    out = quintile_sii(frame, catalogue, _periods(frame)).set_index(["indicator_id", "period"])
    assert out["sii_reason"].to_dict() == {
        ("pm25", "2022"): "the quintile values of this method have no confidence intervals",
        ("score", "2021"): "a quintile value is suppressed or missing (Q3)",
        ("score", "2022"): "needs all 5 IMD quintiles, has 4",
        ("smoking", "2022"): "a quintile value or limit of 0 % or 100 % cannot be put on the logit scale"}
    assert out[["sii", "sii_lower_95", "sii_upper_95", "rii", "rii_lower_95", "rii_upper_95"]].isna().all().all()
    assert set(out["sii_trend_reason"]) == {"no SII up to this period (see sii_reason)"}


def test_the_sii_widens_when_its_weighted_slope_over_five_periods_excludes_zero():
    slopes = {"2020": 10, "2021": 14, "2022": 18, "2023": 22, "2024": 26, "2025": 40}
    values = [row for year, b in slopes.items() for row in _quintiles("wide", year, _line(40, b), half_width=0.5)]
    values += [row for year in slopes for row in _quintiles("flat", year, _line(40, 10), half_width=0.5)]
    values += [row for year in ["2021", "2022", "2023", "2024"] for row in _quintiles("four", year, _line(40, 10))]
    out = _sii(values, _catalogue(wide=MEAN, flat=MEAN, four=MEAN), part={("wide", "2025"), ("flat", "2025")})
    wide = out.loc["wide"]
    assert (wide.loc["2024", "sii_trend"], wide.loc["2024", "sii_trend_code"]) == ("Widening", "widening")
    assert wide.loc["2024", "sii_slope"] == pytest.approx(4, rel=1e-2)  # 4 a year; the limits scatter a little
    assert wide.loc["2024", "sii_trend_reason"] == "weighted regression of the SII on year over 2020 to 2024"
    assert wide.loc["2023", "sii_trend_reason"] == "needs 5 comparable periods, has 4"
    assert wide.loc["2021", "sii_change"] == "Widening"  # 10 -> 14 with SEs well under 1
    # the part year 2025 has an SII but is neither a point of the test nor compared with 2024
    assert wide.loc["2025", "sii"] == pytest.approx(40) and wide.loc["2025", "sii_trend"] == "Cannot be calculated"
    assert wide.loc["2025", "sii_trend_reason"] == "not tested: a part period"
    assert out.loc[("flat", "2024"), "sii_trend"] == "No significant change"
    assert out.loc[("four", "2024"), "sii_trend_reason"] == "needs 5 comparable periods, has 4"
    narrowing = [row for year, b in zip(slopes, [-26, -22, -18, -14, -10], strict=False)
                 for row in _quintiles("narrow", year, _line(80, b), half_width=0.5)]
    assert _sii(narrowing, _catalogue(narrow=MEAN)).loc[("narrow", "2024"), "sii_trend"] == "Narrowing"


def test_the_quintile_gap_is_least_minus_most_deprived_and_its_change_is_judged_on_both_periods():
    def quintiles(period, q1, q5, suppress_q5=False):
        return [_row("ind", period, "imd_quintile", "Q1", value=q1, lower=q1 - 2, upper=q1 + 2),
                _row("ind", period, "imd_quintile", "Q3", value=99, lower=97, upper=101),
                _row("ind", period, "imd_quintile", "Q5", value=q5, lower=q5 - 2, upper=q5 + 2,
                     suppressed=suppress_q5)]
    values = pd.DataFrame(quintiles("2022", 10, 20) + quintiles("2023", 10, 30) + quintiles("2024", 10, 33)
                          + quintiles("2025", 10, 40, suppress_q5=True))
    out = quintile_gaps(values).set_index("period")
    # each quintile's SE is 2 / Z, so the gap's is 2 * sqrt(2) / Z and its 95% CI is gap +- 2 * sqrt(2)
    assert out.loc["2022", ["value_q1", "value_q5", "gap"]].tolist() == [10, 20, 10]
    assert out.loc["2022", ["gap_lower_95", "gap_upper_95"]].tolist() == pytest.approx(
        [10 - 2 * math.sqrt(2), 10 + 2 * math.sqrt(2)])
    # a change must exceed Z * the combined SE of both gaps: Z * hypot(2 sqrt 2 / Z, 2 sqrt 2 / Z) = 4;
    # 2023 widens by 10, 2024 by only 3
    assert out["gap_change"].to_dict() == {"2022": "Cannot be calculated", "2023": "Widening",
                                           "2024": "No significant change", "2025": "Cannot be calculated"}
    assert out["gap_change_code"].to_dict() == {"2022": "not_calculated", "2023": "widening",
                                                "2024": "no_significant_change", "2025": "not_calculated"}
    assert math.isnan(out.loc["2025", "gap"])  # Q5 suppressed: no gap


REFERENCES = pd.DataFrame({"breakdown": ["ethnicity", "sex"], "reference_value": ["White", "M"],
                           "reference_label": ["White", "Male"], "not_compared_value": ["Unknown", None]})


def _group(indicator_id, breakdown, group, value, lower, upper, suppressed=False):
    return {**_row(indicator_id, "2024", value=value, lower=lower, upper=upper, suppressed=suppressed),
            "breakdown": breakdown, "breakdown_value": group}


def test_each_group_is_compared_with_its_reference_group_and_with_coventry():
    values = pd.DataFrame([
        _row("stops", "2024", value=8.0, lower=7.0, upper=9.2),
        _group("stops", "ethnicity", "White", 5.0, 4.0, 6.0),
        _group("stops", "ethnicity", "Black", 10.0, 8.0, 12.0),
        _group("stops", "ethnicity", "Asian", 5.5, 3.0, 8.0),
        _group("stops", "ethnicity", "Mixed", 1.0, 0.0, 1.0, suppressed=True),
        _group("stops", "ethnicity", "Unknown", 9.0, 5.0, 13.0),
        _group("stops", "sex", "M", 0.0, 0.0, 1.0),
        _group("stops", "sex", "F", 2.0, 1.0, 3.0),
    ])
    out = group_comparisons(values, _catalogue(stops=("rate", "LiG", 1000.0, "per 1,000")), REFERENCES)
    got = out.set_index(["breakdown_value", "comparator_type"])
    black = got.loc[("Black", "reference_group")]
    # ratio 10 / 5 = 2; both log SEs are ln(1.5) / (2 Z), so the limits are 2 * 1.5 ** (+-sqrt(2) / 2)
    assert black["comparator"] == "White"
    assert (black["ratio"], black["ratio_lower_95"], black["ratio_upper_95"]) == pytest.approx(
        (2, 2 * 1.5 ** (-math.sqrt(2) / 2), 2 * 1.5 ** (math.sqrt(2) / 2)), rel=1e-12)
    # difference 5; SEs 2 / Z and 1 / Z, so the limits are 5 +- sqrt(5)
    assert (black["difference"], black["difference_lower_95"], black["difference_upper_95"]) == pytest.approx(
        (5, 5 - math.sqrt(5), 5 + math.sqrt(5)), rel=1e-12)
    assert (black["comparison"], black["comparison_code"]) == ("Worse", "worse")  # low is good
    assert got.loc[("Asian", "reference_group"), "comparison"] == "Similar"
    assert got.loc[("Black", "coventry"), ["comparator", "comparator_value"]].tolist() == ["Coventry (all persons)", 8]
    assert got.loc[("White", "coventry"), "comparison"] == "Better"
    assert ("White", "reference_group") not in got.index and "Unknown" not in out["breakdown_value"].tolist()
    assert got.loc[("Mixed", "reference_group"), ["comparison", "comparison_reason"]].tolist() == [
        "Not compared", "a value is suppressed or missing"]
    assert math.isnan(got.loc[("Mixed", "reference_group"), "ratio"])
    # a male rate of 0 has no ratio: the female row is judged on the difference (2, SEs 0.5 / Z and 1 / Z)
    female = got.loc[("F", "reference_group")]
    assert female["comparator"] == "Male" and math.isnan(female["ratio"])
    assert female["difference_lower_95"] == pytest.approx(2 - math.hypot(0.5, 1), rel=1e-12)
    assert (female["comparison"], female["comparison_reason"]) == (
        "Worse", "no ratio (a value or limit is 0): judged on the difference")


def test_cached_siis_are_reused_only_for_the_same_inputs_and_give_the_same_table(monkeypatch):
    from marmot.build.models import inequality

    values = pd.DataFrame([row for year, b in (("2023", 10), ("2024", 14)) for row in
                           _quintiles("wide", year, _line(40, b), half_width=0.5)])
    catalogue, periods = _catalogue(wide=MEAN), _periods(values)
    cache: dict = {}
    computed = quintile_sii(values, catalogue, periods, cache)
    assert len(cache) == 2
    pd.testing.assert_frame_equal(computed, quintile_sii(values, catalogue, periods))

    calls = []
    real = inequality._sii
    monkeypatch.setattr(inequality, "_sii", lambda *a: calls.append(a[:2]) or real(*a))
    pd.testing.assert_frame_equal(computed, quintile_sii(values, catalogue, periods, cache))
    assert calls == []  # every SII came from the cache
    restated = values.copy()
    restated.loc[(restated["period"] == "2024") & (restated["area_code"] == "Q5"), "published_value"] += 1
    quintile_sii(restated, catalogue, periods, cache)
    assert calls == [("wide", "2024")] and len(cache) == 2  # only the changed period; the stale entry is gone
    monkeypatch.setattr(inequality, "SII_REPETITIONS", 1000)  # other code: nothing reused
    quintile_sii(values, catalogue, periods, cache)
    assert len(calls) == 3
