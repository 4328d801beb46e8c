"""A burst of partner files makes one build: the cycle waits for ingests in flight, and a cycle
scheduled for batches an earlier one already built does nothing."""

from __future__ import annotations

import threading
import time

from marmot.build import fingerprint
from marmot.contracts import load_contracts
from marmot.ingest import ledger
from marmot.orchestration import settle

CONTRACTS = load_contracts()


def land_files(home, rel: str) -> None:
    target = home.landing / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("month,lsoa21_code\n")


def test_files_waiting_or_claimed_for_known_datasets_are_in_flight(home):
    assert settle.files_in_flight(home, CONTRACTS) == 0
    land_files(home, "dwp/claimant_count/jan.csv")
    land_files(home, ".processing/host-1-abcd/maternity/births/feb.csv")  # claimed by a running ingest
    land_files(home, "nobody/unknown/x.csv")  # no contract: its ingest DAG does not exist, never waited for
    land_files(home, "dwp/claimant_count/mar.csv.part")  # an upload still being written
    assert settle.files_in_flight(home, CONTRACTS) == 2


def test_waits_until_the_ingests_are_done(home):
    land_files(home, "dwp/claimant_count/jan.csv")
    done = threading.Timer(1.5, lambda: (home.landing / "dwp/claimant_count/jan.csv").unlink())
    done.start()
    waited = settle.wait_until_settled(home, CONTRACTS, poll_seconds=0.2)
    assert 1.0 <= waited < 10 and settle.files_in_flight(home, CONTRACTS) == 0


def test_the_wait_has_a_cap(home, monkeypatch, caplog):
    monkeypatch.setenv(settle.SETTLE_ENV, "0.5")
    land_files(home, "dwp/claimant_count/jan.csv")
    started = time.monotonic()
    assert settle.wait_until_settled(home, CONTRACTS, poll_seconds=0.1) >= 0.5
    assert time.monotonic() - started < 5
    assert "building with 1 files still in flight" in caplog.text


def _entry(batch_id: str, status: str = "accepted") -> ledger.Entry:
    return ledger.Entry(batch_id=batch_id, partner="dwp", dataset="claimant_count", original_name="f.csv",
                        sha256="0" * 64, bytes=1, received_at="2026-11-01T00:00:00+00:00", status=status,
                        archive_path="-", rows_in=1, rows_loaded=1)


def test_a_build_is_needed_until_one_is_made_from_the_ledger_as_it_is(home):
    assert not fingerprint.already_built(home)
    ledger.write(home.ledger, _entry("20261101T000000000000Z-a"))
    fingerprint.record_built(home, fingerprint.ledger_fingerprint(ledger.read_all(home.ledger)), "code")
    assert fingerprint.already_built(home)
    ledger.write(home.ledger, _entry("20261102T000000000000Z-b"))  # a new batch
    assert not fingerprint.already_built(home)
    fingerprint.record_built(home, fingerprint.ledger_fingerprint(ledger.read_all(home.ledger)), "code")
    ledger.write(home.ledger, _entry("20261101T000000000000Z-a", "superseded"))  # a status change
    assert not fingerprint.already_built(home)


def test_the_settle_task_returns_at_once_or_defers_to_the_triggerer_without_holding_a_slot(home, monkeypatch):
    import asyncio

    import pytest
    from airflow.sdk.exceptions import TaskDeferred

    monkeypatch.setenv("MARMOT_HOME", str(home.home))
    task = settle.Settle(task_id="settle", poll_seconds=0.1)
    assert task.execute({}) == 0.0  # nothing in flight: no deferral, no added latency
    land_files(home, "dwp/claimant_count/jan.csv")
    with pytest.raises(TaskDeferred) as deferred:
        task.execute({})
    trigger = deferred.value.trigger
    classpath, kwargs = trigger.serialize()
    assert classpath == "marmot.orchestration.settle.SettledTrigger" and kwargs["home"] == str(home.home)

    async def first_event():
        loop = asyncio.get_running_loop()
        loop.call_later(0.5, (home.landing / "dwp/claimant_count/jan.csv").unlink)
        async for event in settle.SettledTrigger(**kwargs).run():
            return event.payload

    started = time.monotonic()
    payload = asyncio.run(asyncio.wait_for(first_event(), 10))
    assert payload["in_flight"] == 0 and 0.4 <= time.monotonic() - started < 5
    assert task.execute_complete({}, payload) >= 0.4


def test_the_settle_trigger_fires_at_the_cap_with_files_still_in_flight(home, monkeypatch):
    import asyncio

    monkeypatch.setenv(settle.SETTLE_ENV, "0.3")
    land_files(home, "dwp/claimant_count/jan.csv")

    async def first_event():
        async for event in settle.SettledTrigger(home=str(home.home), started=time.time(), poll_seconds=0.1).run():
            return event.payload

    assert asyncio.run(asyncio.wait_for(first_event(), 10))["in_flight"] == 1
