"""One publication for a burst of partner files, not one per finished ingest.

Every ingest run's raw Asset event schedules build-validate-publish. A monthly increment lands
files of many datasets within a minute, and without this each finished ingest would start a
whole cycle of its own, one after the other. So a cycle first waits until no file of a known
dataset waits in landing or is being ingested (``MARMOT_SETTLE_MAX_SECONDS``, default 300,
caps the wait, so a partner that never stops sending cannot hold publication back), and a
cycle whose batches an earlier cycle already built skips its build (and so its publication;
``marmot.build.fingerprint.already_built``).

Under Airflow the wait holds no worker slot and no ``warehouse`` pool slot: ``Settle`` returns at once
when nothing is in flight (one partner file: no added latency) and otherwise defers to
``SettledTrigger``, which polls in the triggerer and resumes the task once the burst is in (or the cap
passed). The busy wait it replaced kept one of the 8 worker slots the burst's ingests need.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator
from airflow.triggers.base import BaseTrigger, TriggerEvent

from marmot.contracts import Contract, load_contracts
from marmot.land.claims import waiting_files
from marmot.settings import SETTLE_ENV, Paths, settle_max_seconds

log = logging.getLogger(__name__)


def files_in_flight(paths: Paths, contracts: dict[str, Contract]) -> int:
    """Files of known datasets waiting in landing, plus files an ingest has claimed and not finished."""
    waiting = sum(len(waiting_files(paths.landing, c.partner, c.dataset)) for c in contracts.values())
    claimed = paths.landing / ".processing"
    return waiting + (sum(1 for p in claimed.rglob("*") if p.is_file()) if claimed.exists() else 0)


def wait_until_settled(paths: Paths, contracts: dict[str, Contract], poll_seconds: float = 1.0) -> float:
    """Block until nothing is in flight (or the cap passes); return the seconds waited."""
    cap = settle_max_seconds()
    started = time.monotonic()
    while (n := files_in_flight(paths, contracts)) and (waited := time.monotonic() - started) < cap:
        log.info("%d partner files still waiting or being ingested; building once they are in (%.0fs of %.0fs)",
                 n, waited, cap)
        time.sleep(poll_seconds)
    waited = time.monotonic() - started
    if n:
        log.warning("building with %d files still in flight: waited the %.0fs cap (%s)", n, cap, SETTLE_ENV)
    return round(waited, 1)


def settled(paths: Paths, contracts: dict[str, Contract], started: float) -> tuple[bool, int]:
    """(whether to build now, files in flight): nothing in flight, or the cap since ``started`` passed."""
    n = files_in_flight(paths, contracts)
    return not n or time.time() - started >= settle_max_seconds(), n


class SettledTrigger(BaseTrigger):
    """Fires once no partner file is in flight, or ``MARMOT_SETTLE_MAX_SECONDS`` after ``started`` (epoch)."""

    def __init__(self, *, home: str, started: float, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self.home, self.started, self.poll_seconds = home, started, poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{__name__}.SettledTrigger", {"home": self.home, "started": self.started,
                                              "poll_seconds": self.poll_seconds}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        paths, contracts = Paths(Path(self.home)), await asyncio.to_thread(load_contracts)
        while True:
            done, n = await asyncio.to_thread(settled, paths, contracts, self.started)
            if done:
                yield TriggerEvent({"started": self.started, "in_flight": n})
                return
            await asyncio.sleep(self.poll_seconds)


class Settle(BaseOperator):
    """Returns the seconds waited for the files in flight; defers while there are any (see the module)."""

    def __init__(self, *, poll_seconds: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.poll_seconds = poll_seconds

    def execute(self, context) -> float:
        from marmot.settings import paths

        started = time.time()
        if not (n := files_in_flight(paths(), load_contracts())):
            return 0.0
        log.info("%d partner files still waiting or being ingested; building once they are in (at most %.0fs)",
                 n, settle_max_seconds())
        self.defer(trigger=SettledTrigger(home=str(paths().home), started=started, poll_seconds=self.poll_seconds),
                   method_name="execute_complete")
        return 0.0  # not reached: defer raises

    def execute_complete(self, context, event: dict) -> float:
        if event["in_flight"]:
            log.warning("building with %d files still in flight: waited the %.0fs cap (%s)", event["in_flight"],
                        settle_max_seconds(), SETTLE_ENV)
        return round(time.time() - event["started"], 1)
