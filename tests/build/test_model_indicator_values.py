"""int_indicator_values (marmot.build.models.indicator_values): each catalogue method on small
count rows with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from marmot.build.models.indicator_values import indicator_values
from tests.stats.conftest import num, read_vectors

AREA = {"period": "2024", "geography_level": "city", "area_code": "E08000026", "area_name": "Coventry",
        "breakdown": "persons", "breakdown_value": "Persons"}


def _counts(*rows: dict) -> pd.DataFrame:
    defaults = {**AREA, "age_band": None, "unweighted_numerator": None, "unweighted_denominator": None,
                "sum_squared_weights": None, "observations": None}
    return pd.DataFrame([{**defaults, **row} for row in rows])


def _catalogue(**methods: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": i, "method": m, "multiplier": k} for i, (m, k) in methods.items()])


def _one(out: pd.DataFrame, indicator_id: str) -> pd.Series:
    rows = out[out["indicator_id"] == indicator_id]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_row_methods_give_the_known_values_and_intervals():
    counts = _counts(
        {"indicator_id": "prop", "numerator": 50, "denominator": 100},
        {"indicator_id": "rate", "numerator": 10, "denominator": 1000},
        {"indicator_id": "wmean", "numerator": 300, "denominator": 10},
        {"indicator_id": "mean", "numerator": 3, "denominator": 3, "observations": [1.0, 2.0, 3.0]},
        {"indicator_id": "empty", "numerator": 0, "denominator": 0},
    )
    out = indicator_values(counts, _catalogue(prop=("wilson", 100), rate=("rate", 1000), wmean=("weighted_mean", 1),
                                              mean=("mean", 1), empty=("wilson", 100)))
    prop = _one(out, "prop")  # Wilson score interval of 50/100
    assert (prop["value"], prop["lower_95"], prop["upper_95"]) == pytest.approx((50, 40.383, 59.617), abs=1e-3)
    rate = _one(out, "rate")  # Byar's limits of 10 events (PHE: exact below 10): 4.787 and 18.391 per 1,000
    byar = (10 * (1 - 1 / 90 - 1.959964 / (3 * math.sqrt(10))) ** 3,
            11 * (1 - 1 / 99 + 1.959964 / (3 * math.sqrt(11))) ** 3)
    assert (rate["value"], rate["lower_95"], rate["upper_95"]) == pytest.approx((10, *byar), abs=1e-4)
    wmean = _one(out, "wmean")  # modelled data: the population-weighted mean, no interval
    assert wmean["value"] == 30 and math.isnan(wmean["lower_95"]) and math.isnan(wmean["upper_95"])
    mean = _one(out, "mean")  # t interval: 2 +- t(0.975, 2) * 1 / sqrt(3)
    half = 4.302653 / math.sqrt(3)
    assert (mean["value"], mean["lower_95"], mean["upper_95"]) == pytest.approx((2, 2 - half, 2 + half), abs=1e-5)
    assert _one(out, "empty")[["value", "lower_95", "upper_95"]].isna().all()  # no denominator, no value


def test_survey_proportions_are_weighted_and_publish_respondent_counts():
    # weights 2.0 (yes) and 0.5 (no): p = 2 / 2.5; Kish effective sample size 2.5^2 / 4.25
    counts = _counts({"indicator_id": "survey", "numerator": 2.0, "denominator": 2.5, "sum_squared_weights": 4.25,
                      "unweighted_numerator": 1, "unweighted_denominator": 2})
    row = _one(indicator_values(counts, _catalogue(survey=("survey_wilson", 100))), "survey")
    n_eff, p, z = 2.5**2 / 4.25, 0.8, 1.959964
    centre, half = (p + z**2 / (2 * n_eff)), z * math.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2))
    wilson = ((centre - half) / (1 + z**2 / n_eff) * 100, (centre + half) / (1 + z**2 / n_eff) * 100)
    assert row["value"] == pytest.approx(80)
    assert (row["lower_95"], row["upper_95"]) == pytest.approx(wilson, abs=1e-4)
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_a_dsr_of_equal_band_rates_is_that_rate_and_needs_every_population():
    # the same rate (1%) in every age band: the standardised rate is that rate, whatever the standard
    equal = _counts(*({"indicator_id": "dsr", "age_band": band, "numerator": 10 * (band + 1),
                       "denominator": 1000 * (band + 1)} for band in range(3)))
    no_population = _counts({"indicator_id": "dsr", "age_band": 0, "numerator": 1, "denominator": 0},
                            {"indicator_id": "dsr", "age_band": 1, "numerator": 1, "denominator": 100},
                            ).assign(period="2025")
    out = indicator_values(pd.concat([equal, no_population]), _catalogue(dsr=("dsr", 100000)))
    assert len(out) == 2
    first, second = out.sort_values("period").itertuples(index=False)
    assert first.value == pytest.approx(1000) and first.lower_95 < 1000 < first.upper_95
    assert (first.numerator, first.denominator) == (60, 6000)
    assert np.isnan([second.value, second.lower_95, second.upper_95]).all()


def test_life_expectancy_needs_every_age_band():
    counts = _counts(*({"indicator_id": "le", "age_band": band, "numerator": 5, "denominator": 1000}
                       for band in range(3)))
    row = _one(indicator_values(counts, _catalogue(le=("life_expectancy", 1))), "le")
    assert np.isnan([row["value"], row["lower_95"], row["upper_95"]]).all()


def test_a_method_without_an_implementation_is_refused_by_name():
    counts = _counts({"indicator_id": "odd", "numerator": 1, "denominator": 2})
    with pytest.raises(ValueError, match=r"no implementation for indicator methods \['median'\]"):
        indicator_values(counts, _catalogue(odd=("median", 1)))


def test_no_interval_is_published_without_its_value():
    """A small ward's life expectancy: the PHE method withholds the value when its 95% half-width exceeds 10
    years but keeps the limits; an interval with no value (76.6 to 100.7 years) was published."""
    from marmot.stats import START_AGES, life_expectancy

    deaths = [0.0] * (len(START_AGES) - 3) + [1.0, 1.0, 2.0]
    populations = [320.0] * len(START_AGES)
    table = life_expectancy(deaths, populations)
    assert np.isnan(table.value[0]) and np.isfinite([table.lower[0], table.upper[0]]).all()  # the method's own rule
    counts = _counts(*({"indicator_id": "le", "age_band": band, "numerator": d, "denominator": n}
                       for band, (d, n) in enumerate(zip(deaths, populations, strict=True))))
    row = _one(indicator_values(counts, _catalogue(le=("life_expectancy", 1))), "le")
    assert np.isnan([row["value"], row["lower_95"], row["upper_95"]]).all()


@pytest.mark.parametrize(("vectors", "method", "multiplier"), [
    ("testdata_Proportion__testdata_Prop.csv", "wilson", 1), ("testdata_Rate__testdata_Rate.csv", "rate", 100)])
def test_both_interval_levels_match_the_phe_vectors(vectors, method, multiplier):
    """95% and 99.8% limits of the model, against PHEindicatormethods' published answers (both levels)."""
    rows = read_vectors(vectors)[:6]
    counts = _counts(*({"indicator_id": row["Area"], "numerator": num(row["Numerator"]),
                        "denominator": num(row["Denominator"])} for row in rows))
    out = indicator_values(counts, _catalogue(**{row["Area"]: (method, multiplier) for row in rows}))
    for row in rows:
        got = _one(out, row["Area"])[["value", "lower_95", "upper_95", "lower_998", "upper_998"]].to_numpy(float)
        expected = [num(row[c]) for c in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl")]
        assert got == pytest.approx(expected, rel=1e-6), row["Area"]


def test_the_mean_has_its_t_interval_at_both_levels():
    # t(0.999, 2) = 22.3271: the 99.8% interval of 1, 2, 3 is 2 +- 22.3271 / sqrt(3)
    counts = _counts({"indicator_id": "mean", "numerator": 3, "denominator": 3, "observations": [1.0, 2.0, 3.0]})
    row = _one(indicator_values(counts, _catalogue(mean=("mean", 1))), "mean")
    half = 22.32712 / math.sqrt(3)
    assert (row["lower_998"], row["upper_998"]) == pytest.approx((2 - half, 2 + half), abs=1e-4)
    assert row["lower_998"] < row["lower_95"] < row["value"] < row["upper_95"] < row["upper_998"]


def test_a_principle_with_no_counts_yet_gives_no_rows_with_the_columns_types():
    """Each principle's values are their own model (models/intermediate/values), unioned into int_indicator_values:
    a principle whose partners sent nothing yet must give an empty table whose columns have the types of a full one
    (an empty pandas object column reads as an integer in DuckDB)."""
    import duckdb

    one_row = indicator_values(_counts({"indicator_id": "a", "numerator": 1, "denominator": 2}),
                            _catalogue(a=("wilson", 100)))
    no_rows = indicator_values(_counts({"indicator_id": "a", "numerator": 1, "denominator": 2}).iloc[:0],
                             _catalogue(a=("wilson", 100)))
    assert no_rows.empty and list(no_rows.columns) == list(one_row.columns)
    assert duckdb.sql("select * from no_rows").types == duckdb.sql("select * from one_row").types
