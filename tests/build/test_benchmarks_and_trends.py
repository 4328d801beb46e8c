"""England comparisons, trend labels and quintile gaps are present and agree with marmot.stats."""

from __future__ import annotations

import pytest

from marmot.stats import compare_ci, quantile_gap, trend_proportion

COMPARISONS = {"Better", "Similar", "Worse", "Lower", "Higher", "Not compared"}
TRENDS = {"Increasing and getting better", "Increasing and getting worse", "Decreasing and getting better",
          "Decreasing and getting worse", "Increasing", "Decreasing", "No significant change", "Cannot be calculated"}


def test_every_latest_value_is_compared_with_england(warehouse):
    rows = warehouse.sql("select indicator_id, value, lower_95, upper_95, england_value, england_comparison, "
                         "polarity from marts.mart_indicator_latest").fetchall()
    # a comparison for every value; a suppressed value (null) has none
    assert rows and all(r[4] is not None
                        and (r[5] in COMPARISONS if r[1] is not None else r[5] in (None, "Not compared"))
                        for r in rows)
    assert {"Better", "Similar", "Worse"} <= {r[5] for r in rows}
    names = {"HiG": "RAG - High is good", "LiG": "RAG - Low is good", "BOB": "BOB"}
    for _, value, lower, upper, england, label, polarity in rows:
        if value is not None:
            assert label == compare_ci(value, lower, upper, england, names[polarity])


def test_trend_labels_use_the_last_five_annual_points(warehouse):
    labels = dict(warehouse.sql("select indicator_id, trend_label from marts.mart_indicator_latest").fetchall())
    assert set(labels.values()) <= TRENDS
    pooled = [i for (i,) in warehouse.sql(
        "select indicator_id from reference.indicator_catalogue where pooled_years > 1").fetchall()]
    assert pooled and all(labels[i] == "Cannot be calculated" for i in pooled)
    # five academic years landed: the proportion test runs on the published city counts
    points = warehouse.sql("select numerator, denominator from marts.mart_indicator_values where indicator_id = "
                           "'p1_school_readiness' and geography_level = 'city' order by period").fetchall()
    assert len(points) == 5
    expected = trend_proportion([p[0] for p in points], [p[1] for p in points], "RAG - High is good").label
    assert labels["p1_school_readiness"] == expected != "Cannot be calculated"


def test_quintile_gap_is_least_minus_most_deprived(warehouse):
    row = warehouse.sql("select latest_period, value_most_deprived, value_least_deprived, quintile_gap, "
                        "quintile_gap_lower_95, quintile_gap_upper_95 from marts.mart_indicator_latest "
                        "where indicator_id = 'p2_attainment8'").fetchone()
    q = dict((a, (v, lo, up)) for a, v, lo, up in warehouse.execute(
        "select area_code, value, lower_95, upper_95 from marts.mart_indicator_values "
        "where indicator_id = 'p2_attainment8' and period = ? and area_code in ('Q1', 'Q5')", [row[0]]).fetchall())
    se = {a: (up - lo) / 3.919927969080108 for a, (_, lo, up) in q.items()}
    expected = quantile_gap(q["Q1"][0], q["Q5"][0], se["Q1"], se["Q5"])
    assert row[1:3] == pytest.approx((q["Q1"][0], q["Q5"][0]), abs=1e-3)
    assert row[3:] == pytest.approx(tuple(expected), abs=1e-3)
    assert row[3] > 0  # the synthetic least deprived pupils score higher


def test_a_part_year_is_published_with_its_note_but_not_compared_latest_or_trended(warehouse):
    """The synthetic Job Shop extract of the running financial year is year to date (sent before 31 March)."""
    part = warehouse.sql("select indicator_id, period, period_note, england_comparison "
                         "from marts.mart_indicator_values "
                         "where not period_is_complete and geography_level = 'city'").fetchall()
    assert {(r[0], r[2].startswith("Part year (year to date)"), r[3]) for r in part} == {
        ("p3_job_shop_into_work", True, "Not compared")}
    [(indicator, period, *_)] = part
    latest, reason = warehouse.execute("select latest_period, trend_reason from marts.mart_indicator_latest "
                                       "where indicator_id = ?", [indicator]).fetchone()
    assert latest < period and period not in reason
    complete = warehouse.sql("select count(*) from marts.mart_indicator_values where period_is_complete "
                             "and period_note is null").fetchone()[0]
    assert complete > 1000


def test_every_trend_has_a_code_and_a_reason(warehouse):
    rows = warehouse.sql("select trend_label, trend_code, trend_reason from marts.mart_indicator_latest").fetchall()
    assert all(reason for _, _, reason in rows)
    cannot = [reason for label, code, reason in rows if code == "not_calculated"]
    assert cannot and all(label == "Cannot be calculated" for label, code, _ in rows if code == "not_calculated")
    assert not [r for r in cannot if r.startswith("Fingertips trend test")]
