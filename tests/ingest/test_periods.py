"""Periods a file may hold (not before the contract's first period, not one that had not started when the
file arrived) and restatements that lose most of the rows of the data they replace."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from ingest.data import CLAIMANT_HEADER, claimant, csv_bytes, land
from marmot.contracts import LOCAL_TIMEZONE, load_contracts
from marmot.contracts.periods import period_on
from marmot.ingest.ingestor import Ingestor, reference_codes
from marmot.ingest.ledger import read_all
from marmot.settings import RESTATEMENT_DROP_ENV

CONTRACTS = load_contracts()
LSOAS = reference_codes()["coventry_lsoa21"]


def _today() -> str:
    return datetime.now(LOCAL_TIMEZONE).date().isoformat()


def _claimants(counts: dict[str, int]) -> bytes:
    """``counts[month]`` rows (one LSOA each) for every month, in order."""
    return csv_bytes([claimant(0, month=m, lsoa21_code=LSOAS[i]) for m, n in counts.items() for i in range(n)],
                     CLAIMANT_HEADER)


def _ingest(home, name: str, data: bytes, contracts=None):
    land(home.landing, "dwp", "claimant_count", name, data)
    [entry] = Ingestor(home, contracts).run()
    return entry


def _with_schedule(**changes) -> dict:
    c = CONTRACTS["dwp__claimant_count"]
    return {**CONTRACTS, c.id: c.model_copy(update={"schedule": c.schedule.model_copy(update=changes)})}


def _reason(entry, code: str) -> dict:
    [reason] = [r for r in entry.reasons if r["code"] == code]
    return reason


def test_a_period_that_had_not_started_is_rejected_the_running_one_is_taken(home):
    running = period_on("month", datetime.now(LOCAL_TIMEZONE).date())  # still running: may be sent
    entry = _ingest(home, "c.csv", _claimants(dict.fromkeys(["2025-04", running, "2031-04", "2031-05"], 2)))
    assert (entry.status, entry.rows_loaded, entry.rows_rejected) == ("accepted_with_warnings", 4, 4)
    assert entry.periods == sorted(["2025-04", running])
    reason = _reason(entry, "future_period")
    assert reason["column"] == "month" and reason["rows"] == 4 and reason["example_rows"] == [6, 7, 8, 9]
    assert reason["message"] == (f"4 rows: column 'month' is a period that had not started when the file arrived on "
                                 f"{_today()}; e.g. row 6 ('2031-04'), row 7 ('2031-04'), row 8 ('2031-05'), row 9 "
                                 f"('2031-05'). Expected: a period no later than {running}.")
    assert "correct it and send the file again" in reason["fix"] == reason["action"]


def test_a_file_of_future_periods_only_is_quarantined_naming_them(home):
    entry = _ingest(home, "typo.csv", _claimants(dict.fromkeys(["2052-04"], 3)))
    assert (entry.status, entry.rows_loaded, entry.rows_rejected) == ("quarantined", 0, 3)
    [reason] = entry.reasons
    assert reason["code"] == "future_period" and reason["column"] == "month"
    assert reason["message"].startswith(f"typo.csv: every row was rejected. 3 rows: column 'month' is a period that "
                                        f"had not started when the file arrived on {_today()}")
    assert "; e.g. row 2 ('2052-04'), row 3 ('2052-04'), row 4 ('2052-04')." in reason["message"]
    assert reason["level"] == "file"
    receipt = json.loads((home.home / entry.receipt_path).with_suffix(".json").read_text())
    assert receipt["status"] == "quarantined" and "mistyped year" in receipt["reasons"][0]["fix"]
    assert not list((home.raw / "dwp" / "claimant_count").glob("2*.parquet"))


def test_a_contract_may_take_forecasts_some_periods_ahead(home):
    now = datetime.now(LOCAL_TIMEZONE).date()
    ahead = [period_on("month", now.replace(day=1, year=now.year + (now.month + k - 1) // 12,
                                            month=(now.month + k - 1) % 12 + 1)) for k in (2, 3)]
    entry = _ingest(home, "forecast.csv", _claimants(dict.fromkeys(ahead, 2)), _with_schedule(periods_ahead=2))
    assert (entry.rows_loaded, entry.rows_rejected) == (2, 2) and entry.periods == ahead[:1]
    reason = _reason(entry, "future_period")
    assert f"e.g. row 4 ('{ahead[1]}')" in reason["message"] and f"no later than {ahead[0]}." in reason["message"]


def test_periods_before_the_contracts_first_period_are_rejected(home):
    entry = _ingest(home, "old.csv", _claimants(dict.fromkeys(["2019-11", "2019-12", "2020-01"], 2)),
                    _with_schedule(first_period="2020-01"))
    assert (entry.rows_loaded, entry.rows_rejected) == (2, 4) and entry.periods == ["2020-01"]
    reason = _reason(entry, "before_first_period")
    assert reason["message"] == ("4 rows: column 'month' is a period before 2020-01, the first period this dataset "
                                 "takes; e.g. row 2 ('2019-11'), row 3 ('2019-11'), row 4 ('2019-12'), row 5 "
                                 "('2019-12'). Expected: 2020-01 or a later period.")
    assert "ask the data team if the earlier periods are wanted" in reason["fix"]


def test_a_restatement_that_loses_most_rows_warns(home):
    first = _ingest(home, "april.csv", _claimants({"2025-04": 40}))
    small = _ingest(home, "april again.csv", _claimants({"2025-04": 9}))
    assert first.status == "accepted" and small.status == "accepted_with_warnings"
    reason = _reason(small, "restatement_drop")
    assert (reason["rows_before"], reason["rows_after"], reason["periods"], reason["replaces"]) == (
        40, 9, ["2025-04"], [first.batch_id])
    assert reason["message"].startswith(f"This file restates 2025-04 with 9 rows where the data it replaces had 40 "
                                        f"('april.csv' received {first.received_at[:10]} (batch {first.batch_id}, "
                                        "40 rows)): 78% fewer.")
    assert "send the complete file again" in reason["fix"]
    receipt = json.loads((home.home / small.receipt_path).with_suffix(".json").read_text())
    assert [r["code"] for r in receipt["reasons"]] == ["restatement_drop"]
    ledger = {e.batch_id: e for e in read_all(home.ledger)}
    assert ledger[first.batch_id].status == "superseded"  # still replaced: the drop may be real


def test_a_restatement_is_compared_on_the_periods_it_replaces(home):
    _ingest(home, "april.csv", _claimants({"2025-04": 10}))
    both = _ingest(home, "april and may.csv", _claimants({"2025-04": 3, "2025-05": 30}))  # 33 rows
    reason = _reason(both, "restatement_drop")
    assert (both.rows_loaded, reason["rows_before"], reason["rows_after"]) == (33, 10, 3)
    assert reason["periods"] == ["2025-04"]


@pytest.mark.parametrize("before, after, max_drop, warned", [
    (40, 32, None, False),   # a fifth gone: the default warns only beyond a fifth
    (40, 31, None, True),
    (40, 20, "0.5", False),  # half gone, half allowed
    (40, 60, None, False),   # more rows
    (40, 9, "0.8", False),   # 78% gone, 80% allowed
])
def test_the_drop_a_restatement_may_have_is_a_setting(home, monkeypatch, before, after, max_drop, warned):
    if max_drop:
        monkeypatch.setenv(RESTATEMENT_DROP_ENV, max_drop)
    _ingest(home, "v1.csv", _claimants({"2025-04": before}))
    again = _ingest(home, "v2.csv", _claimants({"2025-04": after}))
    assert any(r["code"] == "restatement_drop" for r in again.reasons) is warned
    assert again.status == ("accepted_with_warnings" if warned else "accepted")
