"""SIGKILL of ``marmot ingest`` between a restatement's ledger record and superseding the batch it
replaces (``MARMOT_CRASH_AT=ingest:recorded``, marmot/crash.py): a rerun converges to one current
batch per period and tells the partner nothing false (no 'duplicate' for the file that loaded)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from ingest.data import claimant, csv_bytes, land
from marmot.ingest.ingestor import Ingestor
from marmot.ingest.ledger import LOADED, read_all

DWP = ("dwp", "claimant_count")


def _ingest(crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MARMOT_CRASH_AT"}
    if crash_at:
        env["MARMOT_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "marmot.cli", "ingest"], env=env, capture_output=True, text=True,
                          timeout=300)


def _current(home) -> dict[str, list[str]]:
    periods: dict[str, list[str]] = {}
    for e in read_all(home.ledger, *DWP):
        if e.status in LOADED:
            for p in e.periods:
                periods.setdefault(p, []).append(e.original_name)
    return periods


def test_an_ingest_killed_between_recording_a_restatement_and_superseding_converges_on_a_rerun(home):
    land(home.landing, *DWP, "april.csv", csv_bytes([claimant(i) for i in range(3)]))
    Ingestor(home).run()
    land(home.landing, *DWP, "april_again.csv", csv_bytes([claimant(i, claimants="41") for i in range(3)]))
    killed = _ingest(crash_at="ingest:recorded")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert _current(home) == {"2025-04": ["april.csv", "april_again.csv"]}  # what the kill leaves
    rerun = _ingest()
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert _current(home) == {"2025-04": ["april_again.csv"]}
    entries = {e.original_name: e for e in read_all(home.ledger, *DWP)}
    assert {n: e.status for n, e in entries.items()} == {"april.csv": "superseded", "april_again.csv": "accepted"}
    assert entries["april.csv"].superseded_by == entries["april_again.csv"].batch_id
    receipts = [json.loads(p.read_text()) for p in (home.receipts / "dwp" / "claimant_count").glob("*.json")]
    assert sorted(r["status"] for r in receipts) == ["accepted", "superseded"]
    assert not list((home.landing / ".processing").rglob("*")) and not list((home.landing / "dwp").rglob("*.csv"))
    assert _ingest().returncode == 0 and len(read_all(home.ledger, *DWP)) == 2  # nothing left to do
