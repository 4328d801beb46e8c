"""Every critical expectation of every mart suite is shown to fail on data broken for it.

Raw suites: tests/wap/test_raw_gates.py; platform checks: tests/wap/test_platform_gates.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from marmot.settings import expectations_dir
from marmot.validate.gates import load_suites
from marmot.validate.gx_runner import evaluate_suite

PRINCIPLES = ["H0_headline", "P1_best_start", "P2_capabilities", "P3_fair_work", "P4_living_standard",
              "P5_places_communities", "P6_prevention", "P7_racism_discrimination", "P8_environment_equity"]

# a frame each mart suite passes, keyed by suite name
GOOD = {
    "mart_indicator_values": pd.DataFrame({
        "indicator_id": ["p1"] * 5 + [f"x{i}" for i in range(9)],
        "principle_key": ["P1_best_start"] * 5 + PRINCIPLES,
        "period": ["2024/25"] * 14,
        "geography_level": ["city", "ward", "ward", "ward", "ward"] + ["city"] * 9,
        "area_code": ["E08000026", "E05001218", "E05001219", "E05001220", "E05001221"] + ["E08000026"] * 9,
        "unit": ["%"] * 5 + ["per 100,000"] * 9,
        "method": ["wilson"] * 5 + ["dsr"] * 9,
        "numerator": [60.0, 30.0, 20.0, 10.0, None] + [50.0] * 9,
        "denominator": [100.0, 50.0, 30.0, 20.0, None] + [10.0] * 9,  # numerator > denominator is fine for a DSR
        "value": [60.0, 60.0, 66.7, 50.0, None] + [150.0] * 9,
        "lower_95": [50.2, 46.2, 48.8, 29.9, None] + [120.0] * 9,
        "upper_95": [69.1, 72.4, 80.8, 70.1, None] + [180.0] * 9,
        "is_suppressed": [False, False, False, False, True] + [False] * 9,
        "england_comparison": ["Similar", "Similar", "Similar", "Similar", None] + ["Worse"] * 9,
    }),
    "mart_indicator_breakdowns": pd.DataFrame({
        "indicator_id": ["p1"] * 4,
        "period": ["2024/25"] * 4,
        "breakdown": ["sex", "sex", "ethnicity", "ethnicity"],
        "breakdown_value": ["M", "F", "White", "Asian"],
        "numerator": [30.0, 30.0, 50.0, None],
        "denominator": [50.0, 50.0, 80.0, None],
        "value": [60.0, 60.0, 62.5, None],
        "lower_95": [46.2, 46.2, 51.5, None],
        "upper_95": [72.4, 72.4, 72.3, None],
    }),
    "mart_indicator_latest": pd.DataFrame({
        "indicator_id": [f"i{i}" for i in range(45)],
        "principle_key": (PRINCIPLES * 5)[:45],
        "trend_label": ["No significant change", "Cannot be calculated", "Increasing and getting better"] * 15,
        "quintile_gap_change": ["Widening", "Narrowing", "No significant change"] * 15,
        "quintile_gap_lower_95": [-12.0] * 45,
        "quintile_gap_upper_95": [-6.0] * 45,
        "england_value": [50.0] * 45,
    }),
    "mart_principle_summary": pd.DataFrame({"principle_key": PRINCIPLES, "indicators": [3] * 9}),
    "mart_partner_activities": pd.DataFrame({
        "principle_key": ["P1_best_start", "P1_best_start", "P3_fair_work"],
        "ward_name": ["Foleshill", "Henley", "Foleshill"],
        "quarter": ["2024-Q1"] * 3,
        "people_reached": [40, 0, 12],
    }),
    "mart_case_studies": pd.DataFrame({
        "title": ["A calmer start", "Case study"],
        "summary": ["A mum joined a group; a benefits check found 1,500 pounds.", None],
        "outcome": ["She attends weekly.", None],
    }),
    "mart_data_coverage": pd.DataFrame({
        "partner": [f"p{i}" for i in range(30)],
        "dataset": ["d"] * 30,
        "periods_expected": [5] * 30,
        "periods_missing": [0] * 30,
    }),
    "mart_publication_sources": pd.DataFrame({"batch_id": ["b1", "b2"], "sha256": ["aa", "bb"]}),
    "mart_area_boundaries": pd.DataFrame({
        "area_level": ["ward"] * 2, "area_code": ["E05001218", "E05001219"], "boundary_year": ["2024"] * 2,
        "geometry": ['{"type":"Polygon","coordinates":[]}', '{"type": "MultiPolygon","coordinates":[]}']}),
    "mart_indicator_metadata": pd.DataFrame({
        "indicator_id": [f"i{i}" for i in range(41)],
        "definition": ["Percentage of children ..."] * 41,
        "method_description": ["The numerator divided by ..."] * 41,
        "source_partner_name": ["Coventry City Council - Early Years"] * 41,
        "how_to_read": ["Higher values are better. ..."] * 41,
        "polarity": ["HiG", "LiG", "BOB"] * 13 + ["HiG", "HiG"],
        "last_data_received_at": pd.to_datetime(["2026-11-30T09:00:00Z"] * 41),
    }),
    "mart_indicator_comparators": pd.DataFrame({
        "indicator_id": ["i0"] * 4, "period": ["2023"] * 4,
        "comparator_kind": ["england", "region", "peer", "peer_median"],
        "area_code": ["E92000001", "E12000005", "E08000001", None],
        "source": ["fingertips", "fingertips", "fingertips", "fingertips"],
    }),
    "mart_indicator_inequalities": pd.DataFrame({
        "indicator_id": ["p1", "p1", "p2"],
        "period": ["2023/24", "2024/25", "2024/25"],
        "sii": [10.0, 12.0, None],
        "sii_lower_95": [8.0, 9.0, None],
        "sii_upper_95": [12.0, 15.0, None],
        "rii_lower_95": [1.1, 1.2, None],
        "rii_upper_95": [1.3, 1.4, None],
        "sii_trend_code": ["not_calculated", "widening", "not_calculated"],
    }),
    "mart_indicator_group_comparisons": pd.DataFrame({
        "indicator_id": ["p7"] * 3,
        "period": ["2024/25"] * 3,
        "breakdown": ["ethnicity"] * 3,
        "breakdown_value": ["Black", "Black", "Mixed"],
        "comparator_type": ["reference_group", "coventry", "reference_group"],
        "ratio": [3.5, 2.1, None],
        "ratio_lower_95": [2.3, 1.4, None],
        "ratio_upper_95": [5.5, 3.0, None],
        "comparison_code": ["worse", "worse", "not_compared"],
    }),
}


def _set(column, row, value):
    def breaker(frame):
        frame.loc[row, column] = value
        return frame
    return breaker


def _drop_value(column, value):
    return lambda f: f[f[column] != value].reset_index(drop=True)


# how to break the good frame for each critical expectation (keyed by suite, type and column)
BREAKERS = {
    ("mart_indicator_values", "expect_table_row_count_to_be_between", None): lambda f: f.iloc[0:0],
    ("mart_indicator_values", "expect_column_values_to_not_be_null", "indicator_id"): _set("indicator_id", 0, None),
    ("mart_indicator_values", "expect_compound_columns_to_be_unique", None): _set("area_code", 2, "E05001218"),
    ("mart_indicator_values", "expect_column_values_to_be_in_set", "geography_level"):
        _set("geography_level", 1, "street"),
    ("mart_indicator_values", "expect_column_distinct_values_to_contain_set", "principle_key"):
        _drop_value("principle_key", "P7_racism_discrimination"),
    ("mart_indicator_values", "expect_column_values_to_be_between", "value"): _set("value", 1, 160.0),
    ("mart_indicator_values", "expect_column_pair_values_a_to_be_greater_than_b", "lower_95"):
        _set("lower_95", 0, 61.0),
    ("mart_indicator_values", "expect_column_pair_values_a_to_be_greater_than_b", "value"): _set("upper_95", 0, 59.0),
    ("mart_indicator_values", "expect_column_pair_values_a_to_be_greater_than_b", "numerator"):
        _set("numerator", 0, 160.0),
    ("mart_indicator_values", "expect_column_values_to_not_be_in_set", "numerator"): _set("numerator", 3, 3.0),
    ("mart_indicator_values", "expect_column_values_to_be_null", "numerator"): _set("numerator", 4, 12.0),
    ("mart_indicator_breakdowns", "expect_table_row_count_to_be_between", None): lambda f: f.iloc[0:0],
    ("mart_indicator_breakdowns", "expect_compound_columns_to_be_unique", None): _set("breakdown_value", 1, "M"),
    ("mart_indicator_breakdowns", "expect_column_values_to_be_in_set", "breakdown"): _set("breakdown", 0, "age"),
    ("mart_indicator_breakdowns", "expect_column_pair_values_a_to_be_greater_than_b", "lower_95"):
        _set("lower_95", 0, 61.0),
    ("mart_indicator_breakdowns", "expect_column_pair_values_a_to_be_greater_than_b", "value"):
        _set("upper_95", 0, 59.0),
    ("mart_indicator_breakdowns", "expect_column_values_to_not_be_in_set", "numerator"): _set("numerator", 0, 4.0),
    ("mart_indicator_latest", "expect_table_row_count_to_be_between", None): lambda f: f.iloc[0:39],
    ("mart_indicator_latest", "expect_column_values_to_be_unique", "indicator_id"): _set("indicator_id", 1, "i0"),
    ("mart_indicator_latest", "expect_column_distinct_values_to_contain_set", "principle_key"):
        _drop_value("principle_key", "H0_headline"),
    ("mart_indicator_latest", "expect_column_values_to_be_in_set", "trend_label"): _set("trend_label", 0, "Improving"),
    ("mart_indicator_latest", "expect_column_values_to_be_in_set", "quintile_gap_change"):
        _set("quintile_gap_change", 0, "Wider"),
    ("mart_indicator_latest", "expect_column_pair_values_a_to_be_greater_than_b", "quintile_gap_lower_95"):
        _set("quintile_gap_lower_95", 0, -5.0),
    ("mart_principle_summary", "expect_table_row_count_to_equal", None): lambda f: f.iloc[0:8],
    ("mart_principle_summary", "expect_column_values_to_be_unique", "principle_key"):
        _set("principle_key", 1, "H0_headline"),
    ("mart_principle_summary", "expect_column_values_to_be_between", "indicators"): _set("indicators", 3, 0),
    ("mart_partner_activities", "expect_compound_columns_to_be_unique", None): _set("ward_name", 1, "Foleshill"),
    ("mart_partner_activities", "expect_column_values_to_be_between", "people_reached"):
        _set("people_reached", 0, -1),
    ("mart_case_studies", "expect_column_values_to_not_match_regex", "summary"):
        _set("summary", 0, "Write to jo@example.org"),
    ("mart_case_studies", "expect_column_values_to_not_match_regex", "outcome"):
        _set("outcome", 0, "Ask jo@example.org"),
    ("mart_case_studies", "expect_column_values_to_not_be_null", "title"): _set("title", 0, None),
    ("mart_data_coverage", "expect_table_row_count_to_equal", None): lambda f: f.iloc[0:29],
    ("mart_area_boundaries", "expect_compound_columns_to_be_unique", None): _set("area_code", 1, "E05001218"),
    ("mart_area_boundaries", "expect_column_values_to_not_be_null", "geometry"): _set("geometry", 0, None),
    ("mart_data_coverage", "expect_compound_columns_to_be_unique", None): _set("partner", 1, "p0"),
    ("mart_data_coverage", "expect_column_pair_values_a_to_be_greater_than_b", "periods_missing"):
        _set("periods_missing", 0, 6),
    ("mart_publication_sources", "expect_column_values_to_be_unique", "batch_id"): _set("batch_id", 1, "b1"),
    ("mart_indicator_inequalities", "expect_table_row_count_to_be_between", None): lambda f: f.iloc[0:0],
    ("mart_indicator_inequalities", "expect_compound_columns_to_be_unique", None): _set("period", 0, "2024/25"),
    ("mart_indicator_inequalities", "expect_column_values_to_be_in_set", "sii_trend_code"):
        _set("sii_trend_code", 0, "worse"),
    ("mart_indicator_inequalities", "expect_column_pair_values_a_to_be_greater_than_b", "sii_lower_95"):
        _set("sii", 0, 7.0),
    ("mart_indicator_inequalities", "expect_column_pair_values_a_to_be_greater_than_b", "sii"): _set("sii", 1, 16.0),
    ("mart_indicator_inequalities", "expect_column_pair_values_a_to_be_greater_than_b", "rii_lower_95"):
        _set("rii_upper_95", 0, 1.0),
    ("mart_indicator_group_comparisons", "expect_table_row_count_to_be_between", None): lambda f: f.iloc[0:0],
    ("mart_indicator_group_comparisons", "expect_compound_columns_to_be_unique", None):
        _set("comparator_type", 1, "reference_group"),
    ("mart_indicator_group_comparisons", "expect_column_values_to_be_in_set", "comparison_code"):
        _set("comparison_code", 0, "Worse"),
    ("mart_indicator_group_comparisons", "expect_column_pair_values_a_to_be_greater_than_b", "ratio_lower_95"):
        _set("ratio", 0, 2.0),
    ("mart_indicator_group_comparisons", "expect_column_pair_values_a_to_be_greater_than_b", "ratio"):
        _set("ratio", 1, 3.5),
    ("mart_publication_sources", "expect_column_values_to_not_be_null", "sha256"): _set("sha256", 0, None),
    ("mart_indicator_metadata", "expect_table_row_count_to_be_between", None): lambda f: f.iloc[0:39],
    ("mart_indicator_metadata", "expect_column_values_to_be_unique", "indicator_id"): _set("indicator_id", 1, "i0"),
    ("mart_indicator_metadata", "expect_column_values_to_not_be_null", "definition"): _set("definition", 0, None),
    ("mart_indicator_metadata", "expect_column_values_to_not_be_null", "method_description"):
        _set("method_description", 0, None),
    ("mart_indicator_metadata", "expect_column_values_to_not_be_null", "source_partner_name"):
        _set("source_partner_name", 0, None),
    ("mart_indicator_metadata", "expect_column_values_to_not_be_null", "how_to_read"): _set("how_to_read", 0, None),
    ("mart_indicator_metadata", "expect_column_values_to_be_in_set", "polarity"): _set("polarity", 0, "high"),
    ("mart_indicator_comparators", "expect_column_values_to_be_in_set", "comparator_kind"):
        _set("comparator_kind", 2, "neighbour"),
    ("mart_indicator_comparators", "expect_column_values_to_be_in_set", "source"): _set("source", 0, "guess"),
    ("mart_indicator_comparators", "expect_compound_columns_to_be_unique", None):  # the peer becomes a second region
        lambda f: _set("area_code", 2, "E12000005")(_set("comparator_kind", 2, "region")(f)),
}


def _key(e):
    k = e["kwargs"]
    return e["type"], k.get("column") or k.get("column_B")


def _cases():
    for suite in load_suites(expectations_dir() / "marts"):
        for e in suite["expectations"]:
            yield pytest.param(suite, e, id=f"{suite['suite']}:{e['type']}:{_key(e)[1]}")


@pytest.mark.parametrize("suite, expectation", list(_cases()))
def test_each_expectation_passes_good_data_and_critical_ones_fail_bad_data(suite, expectation):
    single = {**suite, "expectations": [expectation]}
    good = GOOD.get(suite["suite"])
    assert good is not None, f"no good frame for suite {suite['suite']}: add one to GOOD"
    [ok] = evaluate_suite(single, good)
    assert ok.status == "passed", ok
    if expectation["severity"] != "critical":
        return
    key = (suite["suite"], *_key(expectation))
    breaker = BREAKERS.get(key)
    assert breaker, f"no bad-data case for critical expectation {key}: add one"
    [bad] = evaluate_suite(single, breaker(good.copy()))
    assert bad.status == "failed", bad


def test_an_expectation_that_raises_is_an_error_not_a_pass():
    suite = {"suite": "t", "table": "t", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"},
         "severity": "critical"}]}
    [outcome] = evaluate_suite(suite, GOOD["mart_indicator_values"])
    assert outcome.status == "error" and "no_such_column" in outcome.error


def test_expectations_read_the_same_arguments_with_their_configuration_built_once():
    """gx_patches.read_each_configuration_once against GX's own lookup, for every expectation
    of every suite (raw suites from the contracts, mart suites from expectations/)."""
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from marmot.validate.gx_runner import GxRun, resolve_references

    GxRun()  # applies it
    patched = Expectation._get_runtime_kwargs
    gx_own = patched.__wrapped__  # outside the patched call, each lookup builds the configuration again
    checked = 0
    for suite in load_suites():
        for e in suite["expectations"]:
            expectation = ExpectationConfiguration(type=e["type"],
                                                   kwargs=resolve_references(e["kwargs"])).to_domain_obj()
            for runtime in (None, {"result_format": {"result_format": "SUMMARY", "partial_unexpected_count": 5}}):
                assert patched(expectation, runtime) == gx_own(expectation, runtime), (suite["suite"], e["type"])
            checked += 1
    assert checked > 100
