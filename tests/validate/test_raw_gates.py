"""Raw partner-dataset suites: generated from the contracts, every expectation fails on bad data,
and a failure in a partner's current batches blocks publication with a per-partner result."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd
import pytest
import yaml
from fixtures.marts import MART_SUITE

from marmot.contracts import load_contracts
from marmot.ingest import ledger
from marmot.ingest.ingestor import reference_codes
from marmot.orchestration import pipeline
from marmot.settings import GROUP_ROWS_ENV, KEEP_RUNS_ENV
from marmot.validate.gates import load_suites, validate
from marmot.validate.gx_runner import GxRun
from marmot.validate.raw_suites import HEADER, raw_suites_dir, suite_for

CONTRACTS = load_contracts()
RAW_SUITES = load_suites(raw_suites_dir())
LSOAS = reference_codes()


def test_there_is_one_raw_suite_per_contract_and_each_is_up_to_date():
    assert {s["dataset"] for s in RAW_SUITES} == set(CONTRACTS)
    for contract in CONTRACTS.values():
        text = (raw_suites_dir() / f"{contract.id}.yml").read_text()
        assert text.startswith(HEADER.format(id=contract.id))
        assert yaml.safe_load(text) == suite_for(contract), (
            f"{contract.id}: raw suite out of date; run `python -m marmot.validate.raw_suites`")


def _columns(suite: dict) -> list[str]:
    cols = []
    for e in suite["expectations"]:
        for c in e["kwargs"].get("column_list", [e["kwargs"].get("column")]):
            if c not in cols:
                cols.append(c)
    return cols


def _good_value(contract, column: str, i: int):
    """A value the contract accepts, distinct per row ``i`` (so keys are unique)."""
    col = next(c for c in contract.stored_columns() if c.output_name == column)
    if col.reference:
        return LSOAS[col.reference][i]
    if col.type in ("integer", "number") and not col.personal:
        low = col.minimum if col.minimum is not None else 0
        return low + (i if col.maximum is None else min(i, col.maximum - low))
    if col.type == "date" and not col.personal:
        return date(2024, 1, 1) + timedelta(days=i)
    if col.type == "boolean":
        return bool(i % 2)
    return col.allowed[i % len(col.allowed)] if col.allowed else f"v-{i}"


def _good_frame(suite: dict) -> pd.DataFrame:
    contract = CONTRACTS[suite["dataset"]]
    return pd.DataFrame({c: [_good_value(contract, c, i) for i in range(3)] for c in _columns(suite)})


def _break(frame: pd.DataFrame, expectation: dict) -> pd.DataFrame:
    kind, kw = expectation["type"], expectation["kwargs"]
    bad = frame.astype(object)
    if kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        for c in kw.get("column_list", [kw.get("column")]):
            bad.loc[1, c] = bad.loc[0, c]
    elif kind == "expect_column_values_to_not_be_null":
        bad.loc[1, kw["column"]] = None
    elif kind == "expect_column_values_to_be_in_set":
        bad.loc[1, kw["column"]] = "E01999999"  # well formed, but not a Coventry LSOA
    elif kind == "expect_column_values_to_be_between":
        bad.loc[1, kw["column"]] = kw["min_value"] - 1 if "min_value" in kw else kw["max_value"] + 1
    else:
        raise AssertionError(f"no bad-data case for {kind}: add one")
    return bad


@pytest.mark.parametrize("suite", RAW_SUITES, ids=[s["dataset"] for s in RAW_SUITES])
def test_each_raw_expectation_passes_good_data_and_fails_data_broken_for_it(suite):
    gx = GxRun()
    good = _good_frame(suite)
    assert [o.status for o in gx.evaluate({**suite, "suite": "good"}, good)] == ["passed"] * len(suite["expectations"])
    for i, expectation in enumerate(suite["expectations"]):
        single = {"suite": f"bad{i}", "dataset": suite["dataset"], "expectations": [expectation]}
        [bad] = gx.evaluate(single, _break(good, expectation))
        assert bad.status == "failed" and bad.unexpected_count, (expectation, bad)


def _eyfsp_batch(home, batch_id: str, rows: list[tuple], *, status="accepted", days_ago=0) -> None:
    received = datetime.now(UTC) - timedelta(days=days_ago)
    target = home.raw / "early_years" / "eyfsp" / f"{batch_id}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=["pupil_key", "academic_year", "lsoa21_code"])
    frame["_batch_id"] = batch_id
    con = duckdb.connect()
    con.register("f", frame)
    con.execute(f"COPY f TO '{target}' (FORMAT parquet)")
    con.close()
    ledger.write(home.ledger, ledger.Entry(
        batch_id=batch_id, partner="early_years", dataset="eyfsp", original_name=f"{batch_id}.csv",
        sha256="0" * 64, bytes=1, received_at=received.isoformat(), status=status, archive_path="-",
        rows_in=len(rows), rows_loaded=len(rows)))


EYFSP_SUITE = {"suite": "raw__early_years__eyfsp", "dataset": "early_years__eyfsp", "expectations": [
    {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["pupil_key", "academic_year"]},
     "severity": "critical", "why": "one row per child"},
    {"type": "expect_column_values_to_be_in_set",
     "kwargs": {"column": "lsoa21_code", "value_set": {"reference": "coventry_lsoa21"}}, "severity": "critical",
     "why": "LSOA must be in Coventry"}]}


def test_raw_gates_read_only_the_current_batches_and_write_a_result_per_partner(built):
    lsoa = LSOAS["coventry_lsoa21"][0]
    # an old batch for 2023/24 re-sent later: only the newer one is current, so its duplicates do not count
    _eyfsp_batch(built, "20250101T000000000000Z-a", [("p1", "2023/24", lsoa), ("p1", "2023/24", lsoa)])
    _eyfsp_batch(built, "20250201T000000000000Z-b", [("p1", "2023/24", lsoa), ("p2", "2023/24", lsoa)])
    _eyfsp_batch(built, "20250301T000000000000Z-c", [("p9", "2024/25", "E01999999")], status="quarantined")
    report = validate(built, suites=[EYFSP_SUITE, MART_SUITE])
    assert report.passed, report.summary()
    result = json.loads((report.folder / "partners" / "early_years__eyfsp.json").read_text())
    assert result["passed"] and result["batches"] == ["20250201T000000000000Z-b"]


def test_a_raw_failure_blocks_publication_and_names_the_partner_rows(built):
    lsoa = LSOAS["coventry_lsoa21"][0]
    _eyfsp_batch(built, "20250101T000000000000Z-a", [("p1", "2023/24", lsoa)])
    _eyfsp_batch(built, "20250201T000000000000Z-b", [("p1", "2024/25", lsoa), ("p1", "2024/25", "E01999999")])
    with pytest.raises(pipeline.GateFailed):
        pipeline_validate(built, [EYFSP_SUITE, MART_SUITE])
    latest = json.loads((built.validation / "latest.json").read_text())
    folder = built.validation / latest["run_id"]
    result = json.loads((folder / "partners" / "early_years__eyfsp.json").read_text())
    assert not result["passed"] and result["batches"] == ["20250101T000000000000Z-a", "20250201T000000000000Z-b"]
    by_type = {o["expectation"]: o for o in result["outcomes"]}
    dup = by_type["expect_compound_columns_to_be_unique"]
    assert dup["status"] == "failed" and dup["unexpected_count"] == 2
    assert {r["academic_year"] for r in dup["sample_rows"]} == {"2024/25"}
    bad_lsoa = by_type["expect_column_values_to_be_in_set"]
    assert bad_lsoa["unexpected_count"] == 1 and bad_lsoa["sample"] == ["E01999999"]
    assert not built.current.exists()
    with pytest.raises(pipeline.GateFailed, match="did not pass"):
        pipeline.publish(built)


def pipeline_validate(home, suites):
    """pipeline.validate with explicit suites (raises GateFailed like the Airflow task sees it)."""
    report = validate(home, suites=suites)
    if not report.passed:
        raise pipeline.GateFailed(report.summary())
    return report


def test_the_partner_receipt_tells_what_the_gates_found_once(built):
    from marmot.ingest import receipts
    lsoa = LSOAS["coventry_lsoa21"][0]
    _eyfsp_batch(built, "20250201T000000000000Z-b", [("p1", "2024/25", lsoa), ("p1", "2024/25", "E01999999")])
    [entry] = ledger.read_all(built.ledger)
    html = receipts.write(built, entry, CONTRACTS["early_years__eyfsp"])
    assert "Quality checks" not in html.read_text()
    first = validate(built, suites=[EYFSP_SUITE, MART_SUITE])
    assert not first.passed
    checks = json.loads(html.with_suffix(".json").read_text())["quality_checks"]
    assert checks["run_id"] == first.run_id and checks["passed"] is False and checks["checked"] == 2
    assert {(p["check"], p["unexpected"]) for p in checks["problems"]} == {
        ("expect_compound_columns_to_be_unique", 2), ("expect_column_values_to_be_in_set", 1)}
    page = html.read_text()
    assert "A check that blocks publication failed on your dataset" in page and "LSOA must be in Coventry" in page
    validate(built, suites=[EYFSP_SUITE, MART_SUITE])  # a later run leaves what the partner was told
    assert json.loads(html.with_suffix(".json").read_text())["quality_checks"]["run_id"] == first.run_id


def test_only_the_latest_validation_runs_are_kept(built, monkeypatch):
    monkeypatch.setenv(KEEP_RUNS_ENV, "2")
    lsoa = LSOAS["coventry_lsoa21"][0]
    _eyfsp_batch(built, "20250101T000000000000Z-a", [("p1", "2023/24", lsoa)])
    runs = [validate(built, suites=[EYFSP_SUITE, MART_SUITE]).run_id for _ in range(3)]
    assert sorted(p.name for p in built.validation.iterdir() if p.is_dir()) == runs[1:]
    latest = json.loads((built.validation / "latest.json").read_text())
    assert latest["run_id"] == runs[-1] and (built.validation / runs[-1] / "report.txt").exists()


def test_a_batch_that_passed_is_not_read_again_until_its_suite_changes(built):
    lsoa = LSOAS["coventry_lsoa21"][0]
    _eyfsp_batch(built, "20250101T000000000000Z-a", [("p1", "2023/24", lsoa)])
    first = validate(built, suites=[EYFSP_SUITE, MART_SUITE])
    assert first.datasets == {"early_years__eyfsp": ["20250101T000000000000Z-a"]}
    _eyfsp_batch(built, "20250201T000000000000Z-b", [("p1", "2024/25", lsoa), ("p1", "2024/25", "E01999999")])
    second = validate(built, suites=[EYFSP_SUITE, MART_SUITE])
    assert second.datasets == {"early_years__eyfsp": ["20250201T000000000000Z-b"]}
    assert second.verified_earlier == {"early_years__eyfsp": 1} and not second.passed
    assert "1 checked in this run; 1 passed an earlier run" in (second.folder / "report.txt").read_text()
    # the failed batch is checked again on every run, the passed one is not
    assert validate(built, suites=[EYFSP_SUITE, MART_SUITE]).datasets == second.datasets
    # a changed suite (here: the reference list behind it) checks every batch again
    changed = {**EYFSP_SUITE, "expectations": [{**e, "kwargs": {**e["kwargs"], "mostly": 1.0}}
                                               for e in EYFSP_SUITE["expectations"]]}
    assert validate(built, suites=[changed, MART_SUITE]).datasets["early_years__eyfsp"] == [
        "20250101T000000000000Z-a", "20250201T000000000000Z-b"]
    assert validate(built, suites=[EYFSP_SUITE, MART_SUITE], recheck_raw=True).verified_earlier == {
        "early_years__eyfsp": 0}


def test_raw_batches_are_checked_in_groups_and_a_failure_in_any_group_is_counted(built, monkeypatch):
    monkeypatch.setenv(GROUP_ROWS_ENV, "2")
    lsoa = LSOAS["coventry_lsoa21"][0]
    _eyfsp_batch(built, "20250101T000000000000Z-a", [("p1", "2021/22", "E01999998"), ("p2", "2021/22", lsoa)])
    _eyfsp_batch(built, "20250201T000000000000Z-b", [("p1", "2022/23", lsoa), ("p2", "2022/23", lsoa)])
    _eyfsp_batch(built, "20250301T000000000000Z-c", [("p1", "2023/24", "E01999999")])
    report = validate(built, suites=[EYFSP_SUITE, MART_SUITE])
    data_docs = (report.data_docs / "index.html").read_text()
    assert "raw__early_years__eyfsp (part 3 of 3)" in data_docs
    by_type = {o.expectation: o for o in report.outcomes if o.suite == "raw__early_years__eyfsp"}
    assert len(by_type) == 2 and not report.passed
    lsoas = by_type["expect_column_values_to_be_in_set"]
    assert lsoas.status == "failed" and lsoas.unexpected_count == 2
    assert sorted(lsoas.sample) == ["E01999998", "E01999999"]
    assert by_type["expect_compound_columns_to_be_unique"].status == "passed"
    # only the group that passed (batch b) is remembered
    verified = json.loads((built.validation / "verified_raw_batches.json").read_text())
    assert verified["early_years__eyfsp"]["batches"] == ["20250201T000000000000Z-b"]


def test_which_rows_are_current_is_worked_out_from_kept_pairs_and_the_new_batches(built):
    """A loaded batch never changes, so its (period, rows) pairs are read once and kept; a later validation reads
    only the batches not seen before. Shown by changing a kept batch's file behind the validation's back: with
    the kept pairs it still counts as 2023/24 (superseded by the newer batch), read afresh it is 2024/25."""
    from marmot.validate.raw_suites import CurrentRows

    contract, lsoa = CONTRACTS["early_years__eyfsp"], LSOAS["coventry_lsoa21"][0]
    kept = built.validation / "batch_periods__early_years__eyfsp.parquet"

    def current(pairs_file=kept) -> list[str]:
        rows = CurrentRows(built, contract, ledger.read_all(built.ledger), pairs_file)
        try:
            return rows.batches
        finally:
            rows.close()

    _eyfsp_batch(built, "20250101T000000000000Z-a", [("p1", "2023/24", lsoa)])
    assert current() == ["20250101T000000000000Z-a"] and kept.exists()
    duckdb.execute(f"COPY (SELECT 'p1' AS pupil_key, '2024/25' AS academic_year, '{lsoa}' AS lsoa21_code, "
                   f"'20250101T000000000000Z-a' AS _batch_id) "
                   f"TO '{built.raw / 'early_years' / 'eyfsp' / '20250101T000000000000Z-a.parquet'}' (FORMAT parquet)")
    _eyfsp_batch(built, "20250201T000000000000Z-b", [("p1", "2023/24", lsoa)])
    assert current() == ["20250201T000000000000Z-b"]  # batch a's kept pairs, batch b read
    assert current(None) == ["20250101T000000000000Z-a", "20250201T000000000000Z-b"]  # every batch read
    kept.write_bytes(b"not parquet")  # an unreadable kept file: every batch is read again
    assert current() == ["20250101T000000000000Z-a", "20250201T000000000000Z-b"]
