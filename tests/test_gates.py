"""Every critical expectation of every suite is shown to fail on data broken for it."""

from __future__ import annotations

import pandas as pd
import pytest

from marmot.validate import _evaluate, load_suites

GOOD = pd.DataFrame({
    "indicator_id": ["p1"] * 5,
    "period": ["2024/25"] * 5,
    "geography_level": ["city", "ward", "ward", "ward", "ward"],
    "area_code": ["E08000026", "E05001218", "E05001219", "E05001220", "E05001221"],
    "unit": ["%"] * 5,
    "numerator": [60.0, 30.0, 20.0, 10.0, None],
    "denominator": [100.0, 50.0, 30.0, 20.0, None],
    "value": [60.0, 60.0, 66.7, 50.0, None],
    "lower_95": [50.2, 46.2, 48.8, 29.9, None],
    "upper_95": [69.1, 72.4, 80.8, 70.1, None],
})


def _set(column, row, value):
    def breaker(frame):
        frame.loc[row, column] = value
        return frame
    return breaker


# how to break the good frame for each critical expectation (keyed by type and column)
BREAKERS = {
    ("expect_table_row_count_to_be_between", None): lambda f: f.iloc[0:0],
    ("expect_column_values_to_not_be_null", "indicator_id"): _set("indicator_id", 0, None),
    ("expect_compound_columns_to_be_unique", None): _set("area_code", 2, "E05001218"),
    ("expect_column_values_to_be_in_set", "geography_level"): _set("geography_level", 1, "street"),
    ("expect_column_values_to_be_between", "value"): _set("value", 1, 160.0),
    ("expect_column_pair_values_a_to_be_greater_than_b", "lower_95"): _set("lower_95", 0, 61.0),
    ("expect_column_pair_values_a_to_be_greater_than_b", "value"): _set("upper_95", 0, 59.0),
    ("expect_column_pair_values_a_to_be_greater_than_b", "numerator"): _set("numerator", 0, 160.0),
    ("expect_column_values_to_not_be_in_set", "numerator"): _set("numerator", 3, 3.0),
}


def _key(e):
    k = e["kwargs"]
    return e["type"], k.get("column") or k.get("column_B")


def _cases():
    for suite in load_suites():
        for e in suite["expectations"]:
            yield pytest.param(suite, e, id=f"{suite['suite']}:{e['type']}:{_key(e)[1]}")


@pytest.mark.parametrize("suite, expectation", list(_cases()))
def test_each_expectation_passes_good_data_and_critical_ones_fail_bad_data(suite, expectation):
    single = {**suite, "expectations": [expectation]}
    [ok] = _evaluate(single, GOOD)
    assert ok.status == "passed", ok
    if expectation["severity"] != "critical":
        return
    breaker = BREAKERS.get(_key(expectation))
    assert breaker, f"no bad-data case for critical expectation {_key(expectation)}: add one"
    [bad] = _evaluate(single, breaker(GOOD.copy()))
    assert bad.status == "failed", bad


def test_an_expectation_that_raises_is_an_error_not_a_pass():
    suite = {"suite": "t", "table": "t", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}, "severity": "critical"}]}
    [outcome] = _evaluate(suite, GOOD)
    assert outcome.status == "error" and "no_such_column" in outcome.error
