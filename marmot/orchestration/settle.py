"""One publication for a burst of partner files, not one per finished ingest.

Every ingest run's raw Asset event schedules build-validate-publish. A monthly increment lands
files of many datasets within a minute, and without this each finished ingest would start a
whole cycle of its own, one after the other. So a cycle first waits until no file of a known
dataset waits in landing or is being ingested (``MARMOT_SETTLE_MAX_SECONDS``, default 300,
caps the wait, so a partner that never stops sending cannot hold publication back), and a
cycle whose batches an earlier cycle already built skips its build (and so its publication;
``marmot.build.fingerprint.already_built``).
"""

from __future__ import annotations

import logging
import time

from marmot.contracts import Contract
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


