"""Event-driven ingest: the Airflow triggerer watches each dataset's landing folder.

A partner's folder drop starts its ingest DAG within about two polls, with no clock guess and
nobody pressing a button. The watcher announces a file only once its size and modification
time have stayed the same for one whole poll, so a large copy still being written is not
ingested half-way (uploads that write ``*.part`` and rename are excluded outright).

Where the kernel reports finished writes (``marmot.land.finished_writes``: Linux, a local folder),
a file whose writer closed it, or that was renamed into the folder, is looked at at once and
announced when it stays the same for ``QUIET_SECONDS``: a drop starts its ingest about a second
after it lands instead of 5-10 s. Polling goes on beside it, for network shares and for files
in subfolders.

The announcement is an Asset event (``landing_asset``) whose ``extra`` names the files. The
watcher forgets nothing it needs: files already announced are not announced again while they
wait; if the triggerer restarts, files still waiting are announced once more, and the ingest
run that finds them already claimed ingests nothing and emits no raw Asset event (see
``dags/marmot_ingest.py``), so a restart never publishes twice.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from marmot.land.claims import waiting_files
from marmot.land.finished_writes import FinishedWrites

CLASSPATH = "marmot.land.watch.LandingFilesTrigger"
QUIET_SECONDS = 1.0  # a file the kernel says was finished is taken once unchanged this long


def snapshot(landing: Path, partner: str, dataset: str) -> frozenset[tuple[str, int, int]]:
    """(path under landing, size, mtime in ns) of every regular file waiting for this dataset
    (a symbolic link is neither followed nor announced: ingest quarantines it when it next runs)."""
    found = set()
    for p in waiting_files(landing, partner, dataset):
        try:
            st = p.lstat()
        except FileNotFoundError:  # claimed between listing and stat
            continue
        if not stat.S_ISREG(st.st_mode):  # replaced by a link since it was listed
            continue
        found.add((p.relative_to(landing).as_posix(), st.st_size, st.st_mtime_ns))
    return frozenset(found)


def settled_news(previous: frozenset, current: frozenset, announced: set[str]) -> list[str]:
    """Files unchanged since the previous poll that have not been announced yet."""
    return sorted(name for name, _, _ in previous & current if name not in announced)


class LandingFilesTrigger(BaseEventTrigger):
    """Fires when settled files wait in ``landing/<partner>/<dataset>/``."""

    def __init__(self, *, landing: str, partner: str, dataset: str, poll_seconds: float = 10.0) -> None:
        super().__init__()
        self.landing = landing
        self.partner = partner
        self.dataset = dataset
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return CLASSPATH, {"landing": self.landing, "partner": self.partner, "dataset": self.dataset,
                           "poll_seconds": self.poll_seconds}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        landing = Path(self.landing)
        previous: frozenset = frozenset()
        announced: set[str] = set()
        folder = landing / self.partner / self.dataset
        try:  # the partner's drop folder exists from the start, and can be watched (not only polled)
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            self.log.warning("cannot create %s: %s; polling it", folder, exc)
        async with FinishedWrites(folder) as writes:
            while True:
                writes.looking()
                try:
                    current = await asyncio.to_thread(snapshot, landing, self.partner, self.dataset)
                except OSError as exc:  # a network share blinking: try again next poll, say so
                    self.log.warning("cannot list %s/%s/%s: %s", landing, self.partner, self.dataset, exc)
                    current = frozenset()
                news = settled_news(previous, current, announced)
                waiting = {name for name, _, _ in current}
                announced = (announced | set(news)) & waiting
                previous = current
                if news:
                    self.log.info("%d new file(s) for %s/%s: %s", len(news), self.partner, self.dataset, news)
                    yield TriggerEvent({"partner": self.partner, "dataset": self.dataset, "files": news,
                                        "landing": os.fspath(landing)})
                # finished writes not yet announced: look again once they have been quiet for a moment
                writes.keep({landing / name for name in waiting - announced})
                if writes.paths:
                    await asyncio.sleep(min(QUIET_SECONDS, self.poll_seconds))
                else:
                    await writes.wait(self.poll_seconds)
