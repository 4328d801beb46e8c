"""Platform gates: each is shown to fail on data broken for it, and the critical ones block."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from fixtures.marts import MART_SUITE, value_rows, write_build

from marmot.contracts import load_contracts
from marmot.ingest import ledger
from marmot.monitor import freshness
from marmot.orchestration import pipeline
from marmot.validate import platform_gates as pg
from marmot.validate.gates import validate
from marmot.validate.gx_runner import evaluate_suite


def _publish(home):
    assert validate(home, suites=[MART_SUITE]).passed
    return pipeline.publish(home)["version"]


def _blocking(report) -> set[tuple[str, str]]:
    return {(o.suite, o.expectation) for o in report.blocking}


def test_a_mart_losing_more_than_a_fifth_of_its_rows_blocks_and_current_stays(built):
    good = _publish(built)
    write_build(built, value_rows(n_areas=17))  # 15% fewer rows: allowed
    assert validate(built, suites=[MART_SUITE]).passed
    write_build(built, value_rows(n_areas=15))  # 25% fewer rows than the published version
    report = validate(built, suites=[MART_SUITE])
    assert _blocking(report) == {("platform__mart_indicator_values", "expect_table_row_count_to_be_between")}
    [drop] = report.blocking
    assert drop.observed == len(value_rows(n_areas=15)) and good in drop.why
    assert drop.kwargs == {"min_value": int(len(value_rows()) * 0.8)}
    with pytest.raises(pipeline.GateFailed):
        pipeline.publish(built)
    assert built.current.resolve().name == good


def test_a_mart_that_vanishes_blocks(home):
    write_build(home, extra_tables=("mart_other",))
    _publish(home)
    write_build(home)
    report = validate(home, suites=[MART_SUITE])
    assert _blocking(report) == {("platform", "platform.mart_still_published")}
    assert "mart_other" in report.blocking[0].why


def test_every_principle_the_catalogue_declares_must_have_values():
    declared = pg.catalogue_principles()
    assert "P1_best_start" in declared
    check = {"suite": "p", "expectations": [pg.principles_expectation(["P1_best_start", "P2_capabilities"])]}
    [ok] = evaluate_suite(check, pd.DataFrame({"principle_key": ["P2_capabilities", "P1_best_start"]}))
    [missing] = evaluate_suite(check, pd.DataFrame({"principle_key": ["P1_best_start", "P1_best_start"]}))
    assert ok.status == "passed" and missing.status == "failed" and missing.sample == ["P2_capabilities"]


def test_a_build_missing_a_declared_principle_is_blocked(home):
    declared = pg.catalogue_principles()
    write_build(home, value_rows(principles=declared[1:]))
    report = validate(home, suites=[MART_SUITE])
    assert _blocking(report) == {("platform__mart_indicator_values", "expect_column_distinct_values_to_contain_set")}
    assert report.blocking[0].sample == [declared[0]]


def test_freshness_warns_per_partner_dataset_missing_a_period_but_does_not_block(built):
    """The rule of marmot.monitor.freshness: a period not received more than GRACE_DAYS after its due date."""
    contracts = load_contracts()
    as_of = date(2026, 6, 30)

    def entry(dataset, period, received, status="accepted"):
        partner, name = dataset.split("__")
        return ledger.Entry(batch_id=f"b-{dataset}-{period}-{status}", partner=partner, dataset=name,
                            original_name="f.csv", sha256="0" * 64, bytes=1, received_at=f"{received}T10:00:00+00:00",
                            status=status, archive_path="-", periods=[period])

    monthly, annual = contracts["dwp__claimant_count"], contracts["early_years__eyfsp"]
    expected = {c.id: freshness.expected_periods(c, as_of) for c in (monthly, annual)}
    gap = expected[monthly.id][1][0]  # the month before the latest one
    entries = [entry(c_id, period, due) for c_id, periods in expected.items()
               for period, due in periods if period != gap]
    entries.append(entry(monthly.id, gap, as_of, status="quarantined"))  # arrived, but its rows do not count
    entries.append(entry(annual.id, expected[annual.id][0][0], as_of))  # restated today: still received
    by_dataset = {o.kwargs["dataset"]: o for o in pg.freshness(contracts, entries, as_of)}
    assert set(by_dataset) == set(contracts)
    assert (by_dataset[monthly.id].status, by_dataset[monthly.id].observed, by_dataset[monthly.id].sample) == (
        "failed", 1, [gap])
    assert by_dataset[annual.id].status == "passed" and by_dataset[annual.id].observed == 0
    never = contracts["ons__deaths"]
    assert by_dataset[never.id].status == "failed"
    assert by_dataset[never.id].observed == sum(r.status == "missing" for r in freshness.assess([never], [], as_of))
    assert all(o.severity == "warning" for o in by_dataset.values())
    report = validate(built, suites=[MART_SUITE])
    assert report.passed and any(o.expectation == "platform.freshness" and o.status == "failed"
                                 for o in report.outcomes)


def test_a_published_mart_without_a_suite_is_a_warning(built):
    report = validate(built, suites=[MART_SUITE])
    [no_suite] = [o for o in report.outcomes if o.expectation == "platform.mart_has_suite" and o.status == "failed"]
    assert no_suite.kwargs == {"table": "mart_publication_sources"} and no_suite.severity == "warning"


def test_a_suite_for_a_table_that_is_not_a_published_mart_is_an_error_that_blocks(built):
    suite = {"suite": "s", "table": "staging.stg_x", "expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "severity": "critical"}]}
    report = validate(built, suites=[MART_SUITE, suite])
    [err] = report.blocking
    assert err.status == "error" and "not a published mart" in err.error
