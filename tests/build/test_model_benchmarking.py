"""England comparisons and trends (marmot.build.models.benchmarking) on small disclosure-controlled frames
with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from marmot.build.models.benchmarking import england_comparisons, trends

Z = 1.959963984540054


def _row(indicator_id="ind", period="2024", level="city", area="E08000026", x=np.nan, n=np.nan,
         value=np.nan, lower=np.nan, upper=np.nan, suppressed=False) -> dict:
    measures = {"numerator": x, "denominator": n, "value": value, "lower_95": lower, "upper_95": upper}
    return {"indicator_id": indicator_id, "period": period, "geography_level": level, "area_code": area,
            "breakdown": "persons", "breakdown_value": "Persons", "is_suppressed": suppressed, **measures,
            **{f"published_{k}": (np.nan if suppressed else v) for k, v in measures.items()}}


def _catalogue(**indicators: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": i, "method": m, "polarity": p, "pooled_years": y}
                         for i, (m, p, y) in indicators.items()])


def _comparator(indicator_id, period, kind, value, source="fingertips"):
    return {"indicator_id": indicator_id, "period": period, "comparator_kind": kind, "value": value,
            "is_approximate": source != "fingertips", "source": source, "is_synthetic": False}


def test_each_row_is_compared_with_england_and_the_region_of_its_own_period():
    """A past period is benchmarked against England's value of that period, not today's."""
    values = pd.DataFrame([
        _row("hig", "2024", value=10, lower=8, upper=12),        # England 15, above the CI: worse when high is good
        _row("lig", "2024", value=10, lower=8, upper=12),        # England 15: better when low is good
        _row("hig", "2020", value=10, lower=8, upper=12),        # England was 9 in 2020: similar, not worse
        _row("hig", "2021-2023", value=10, lower=8, upper=12),   # only the approximate seed value: labelled so
        _row("hig", "2022", value=10, lower=8, upper=12),        # no England value that period
    ])
    found = pd.DataFrame([
        _comparator("hig", "2024", "england", 15.0), _comparator("hig", "2024", "region", 11.0),
        _comparator("lig", "2024", "england", 15.0), _comparator("hig", "2020", "england", 9.0),
        _comparator("hig", "2020", "region", 7.0), _comparator("hig", "2020", "peer_median", 8.0),
        _comparator("hig", "2021-2023", "england", 9.5, source="approximate_seed"),
    ])
    out = england_comparisons(values, _catalogue(hig=("wilson", "HiG", 1), lig=("wilson", "LiG", 1)), found)
    got = {(r.indicator_id, r.period): r for r in out.itertuples(index=False)}
    assert (got[("hig", "2024")].england_value, got[("hig", "2024")].england_comparison) == (15.0, "Worse")
    assert got[("hig", "2024")].england_comparison_code == "worse"
    assert (got[("hig", "2024")].region_value, got[("hig", "2024")].region_comparison_code) == (11.0, "similar")
    assert got[("lig", "2024")].england_comparison == "Better" and got[("lig", "2024")].region_comparison_code \
        == "not_compared"
    assert (got[("hig", "2020")].england_value, got[("hig", "2020")].england_comparison) == (9.0, "Similar")
    assert (got[("hig", "2020")].region_comparison, got[("hig", "2020")].region_comparison_code) == ("Better",
                                                                                                   "better")
    pooled = got[("hig", "2021-2023")]
    assert (pooled.england_value, pooled.england_value_is_approximate, pooled.england_value_source) == (
        9.5, True, "approximate_seed")
    assert not got[("hig", "2024")].england_value_is_approximate
    assert math.isnan(got[("hig", "2022")].england_value) and got[("hig", "2022")].england_comparison == "Not compared"
    assert got[("hig", "2022")].england_comparison_code == "not_compared"
    assert not {"value", "lower_95", "upper_95", "polarity"} & set(out.columns)


def _series(indicator_id, years, numerators, denominator=1000, suppressed=()):
    return [_row(indicator_id, str(y), x=x, n=denominator, value=100 * x / denominator,
                 lower=100 * x / denominator - 1, upper=100 * x / denominator + 1, suppressed=y in suppressed)
            for y, x in zip(years, numerators, strict=True)]


def _usable(values, part=()):
    """int_indicator_periods for ``values``: every period complete except the (indicator, period) pairs in ``part``."""
    periods = values[["indicator_id", "period"]].drop_duplicates()
    return periods.assign(is_usable=[(i, p) not in part for i, p in zip(periods["indicator_id"], periods["period"],
                                                                        strict=True)])


def test_a_trend_needs_five_consecutive_annual_published_points_and_says_why_not():
    rising = [100, 150, 200, 250, 300]
    values = pd.DataFrame(
        _series("better", range(2020, 2025), rising) + _series("worse", range(2020, 2025), rising)
        + _series("four", range(2021, 2025), rising[1:]) + _series("gap", [2018, 2020, 2021, 2022, 2023], rising)
        + _series("pooled", range(2020, 2025), rising) + _series("hidden", range(2020, 2025), rising, suppressed={2022})
        + [_row("better", "2023", level="ward", area="W1", x=1, n=1000)])  # only the city counts
    catalogue = _catalogue(better=("wilson", "HiG", 1), worse=("wilson", "LiG", 1), four=("wilson", "HiG", 1),
                           gap=("wilson", "HiG", 1), pooled=("wilson", "HiG", 3), hidden=("wilson", "HiG", 1))
    out = trends(values, catalogue, _usable(values)).set_index("indicator_id")
    assert out.loc["better", "trend_label"] == "Increasing and getting better"
    assert out.loc["better", "trend_code"] == "increasing_better"
    assert out.loc["better", "trend_reason"] == "Fingertips trend test over 2020 to 2024"
    assert (out.loc["worse", "trend_label"], out.loc["worse", "trend_code"]) == ("Increasing and getting worse",
                                                                                 "increasing_worse")
    assert out.loc["better", "trend_chi_square"] > 9.5495  # Fingertips' 99.8% threshold
    for cannot in ["four", "gap", "pooled", "hidden"]:
        assert (out.loc[cannot, "trend_label"], out.loc[cannot, "trend_code"]) == ("Cannot be calculated",
                                                                                   "not_calculated"), cannot
    assert out["trend_reason"].to_dict() == {
        "better": "Fingertips trend test over 2020 to 2024", "worse": "Fingertips trend test over 2020 to 2024",
        "four": "needs 5 comparable periods, has 4", "gap": "needs 5 consecutive periods: no data after 2018",
        "pooled": "not tested: pooled periods overlap, so they are not independent points",
        "hidden": "a value among the last 5 periods is suppressed or missing (2022)"}
    assert out.loc[["four", "gap", "pooled", "hidden"], "trend_chi_square"].isna().all()
    assert (out.loc["better", "latest_period"], out.loc["better", "periods_available"]) == ("2024", 5)
    assert (out.loc["gap", "latest_period"], out.loc["gap", "periods_available"]) == ("2023", 5)


def test_a_part_year_is_neither_the_latest_period_nor_a_point_of_the_trend():
    """Job Shop 2026/27 from a Q2 year-to-date file: 28 % against 40-42 % in full years was "Decreasing and
    getting worse"; left out, the trend is over the five full years and the latest period is the last full one."""
    values = pd.DataFrame(_series("jobs", range(2021, 2027), [400, 410, 420, 410, 400, 140], denominator=1000)
                          + _series("jobs_part", range(2021, 2027), [400, 410, 420, 410, 400, 140], denominator=1000))
    catalogue = _catalogue(jobs=("wilson", "HiG", 1), jobs_part=("wilson", "HiG", 1))
    with_part = trends(values, catalogue, _usable(values)).set_index("indicator_id").loc["jobs_part"]
    assert with_part["trend_label"] == "Decreasing and getting worse"  # what the publication said
    out = trends(values, catalogue, _usable(values, part={("jobs", "2026")})).set_index("indicator_id").loc["jobs"]
    assert (out["latest_period"], out["periods_available"]) == ("2025", 5)
    assert out["trend_code"] != "decreasing_worse" and out["trend_reason"] == "Fingertips trend test over 2021 to 2025"
