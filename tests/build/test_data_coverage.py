"""Data coverage follows the contract schedules by the one rule of marmot.monitor.freshness: the dataset status
(`marmot status`, the site's partner page), the platform freshness gate and the coverage mart agree on the same
ledger and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import duckdb

from marmot.build import dbt
from marmot.contracts import load_contracts
from marmot.ingest import ledger
from marmot.monitor import freshness
from marmot.settings import Paths
from marmot.validate import platform_gates

CONTRACTS = load_contracts()
COVERAGE = ("select partner, dataset, periods_received, periods_expected, periods_missing, missing_periods, "
            "latest_period_received from marts.mart_data_coverage")


def test_coverage_counts_received_and_missing_periods(built, warehouse):
    rows = {(p, d): tuple(rest) for p, d, *rest in warehouse.sql(COVERAGE).fetchall()}
    assert len(rows) == len(CONTRACTS)
    con = duckdb.connect()
    for partner, dataset, column in [("early_years", "eyfsp", "academic_year"), ("ons", "deaths", "month")]:
        periods = {p for (p,) in con.sql(f"select distinct {column} from read_parquet("
                                         f"'{built.raw / partner / dataset}/*.parquet')").fetchall()}
        received, expected, missing, _, latest = rows[(partner, dataset)]
        assert (received, latest) == (len(periods), max(periods))
        assert expected >= received and missing <= expected - received  # no gaps inside the synthetic series
    [(as_of,)] = warehouse.sql("select distinct as_of from staging.stg_contracts__dataset_schedule").fetchall()
    entries = ledger.read_all(built.ledger)
    assessed = freshness.assess(CONTRACTS.values(), entries, as_of, since_first_received=True)
    for c in CONTRACTS.values():
        mine = [r for r in assessed if r.contract_id == c.id]
        missing = sorted(r.period for r in mine if r.status == "missing")
        assert rows[(c.partner, c.dataset)][:4] == (
            len(freshness.received_periods(entries, c)), len(mine), len(missing), ", ".join(missing) or None), c.id


def _entry(contract, period: str, received: date, status: str = "accepted") -> ledger.Entry:
    at = datetime.combine(received, time(10), UTC).isoformat()
    return ledger.Entry(batch_id=f"b-{received.isoformat()}-{period}", partner=contract.partner,
                        dataset=contract.dataset, original_name=f"{period}.csv", sha256="0" * 64, bytes=1,
                        received_at=at, status=status, archive_path="-", periods=[period])


def test_status_gate_and_coverage_mart_agree_on_late_and_missing(tmp_path, monkeypatch):
    """A monthly dataset, three days after its latest due date: the latest month is late but within the grace
    days, the one before it is missing (overdue by a month), the one before that arrived a day after its due date,
    the nine before on time (the oldest restated yesterday, which does not make the dataset fresh)."""
    c = CONTRACTS["hospital__admissions"]  # monthly, due 20 days after the month
    as_of = freshness.due_date(c, date(2026, 5, 31)) + timedelta(days=3)
    expected = freshness.expected_periods(c, as_of)  # the summary's window, newest first
    (p1, d1), (p2, d2), (p3, d3) = expected[:3]
    assert len(expected) == 12 and (as_of - d2).days > freshness.GRACE_DAYS >= (as_of - d1).days
    oldest = expected[-1][0]
    entries = [_entry(c, p, d - timedelta(days=2), status="superseded" if p == oldest else "accepted")
               for p, d in expected[3:]]
    entries += [_entry(c, p3, d3 + timedelta(days=1)), _entry(c, oldest, as_of - timedelta(days=1))]
    home = Paths((tmp_path / "home").resolve())
    for e in entries:
        ledger.write(home.ledger, e)
    for key, value in dbt.dbt_env(home).items():  # as run_dbt sets them, given back after the test
        monkeypatch.setenv(key, value)

    [status] = [s for s in freshness.dataset_status(CONTRACTS.values(), entries, as_of) if s.contract_id == c.id]
    [gate] = [o for o in platform_gates.freshness(CONTRACTS, entries, as_of) if o.kwargs["dataset"] == c.id]
    dbt.prepare(home, as_of)
    dbt.run_dbt(home, ["build", "--select", "+mart_data_coverage"])
    with duckdb.connect(str(home.build_db), read_only=True) as con:
        [mart] = con.sql(f"{COVERAGE} where partner = ? and dataset = ?", params=[c.partner, c.dataset]).fetchall()

    assert (status.state, [(r.period, r.status) for r in status.owed], status.since) == (
        "missing", [(p1, "late"), (p2, "missing")], d2.isoformat())
    assert (status.periods_received, status.periods_due, status.received_late) == (10, 12, 1)
    assert (gate.status, gate.observed, gate.sample) == ("failed", 1, [p2])
    assert mart[2:] == (10, 12, 1, p2, p3)  # ten of the twelve due received; p2 missing, p1 only late
