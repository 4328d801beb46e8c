"""Claiming landed files, so parallel ingests never take the same file and nothing is lost.

A file is claimed by an atomic rename into ``landing/.processing/<host>-<pid>-<random>/``
(keeping its ``<partner>/<dataset>/<name>`` path). Files a crashed run left claimed are
recovered by the next run: their owner is a dead local process, or the claim is stale. The
claim's path holds when it was claimed (``<owner>/<received>/<partner>/<dataset>/<name>``: the time
is part of the batch id), so a run that finds a file whose batch is already in the ledger knows a
run died after recording it and only finishes its work. A recovered file is retried once, claimed
under ``.retried/``; found there again (it took a second run down, e.g. a reader crash or the memory
limit), it is ``crashed_before`` and ingest quarantines it, so one file can never block its dataset.

Only regular files are ingested. Nothing here follows a symbolic link (``os.lstat``): a link
in a drop folder to /etc/passwd, the pseudonym key or another partner's folder is listed (with
``others=True``) so ingest can quarantine it unread, and is never announced by the watch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from marmot.owners import owner_alive, owner_token

log = logging.getLogger(__name__)
IN_PROGRESS = (".part", ".tmp", ".filepart")  # uploads and pulls write these, then rename
RETRIED = ".retried"  # a claim folder's files that a run which died was ingesting
RECEIVED = "%Y%m%dT%H%M%S%fZ"  # when a file was claimed, as in its batch id
STALLED_HOURS = 24  # an upload or pull still unfinished after this long has failed: `marmot status` says so


class Claimed(NamedTuple):
    path: Path  # where it is now, claimed
    rel: Path  # where it landed under landing/
    received: datetime  # when it was first claimed
    crashed_before: bool = False  # a run ingesting it died twice


def waiting_files(landing: Path, partner: str | None = None, dataset: str | None = None, *,
                  others: bool = False) -> list[Path]:
    """Regular files waiting, by path (uploads in progress and claimed files excluded); with
    ``others`` also the entries that are no regular file (symlinks, fifos, devices), for ingest to
    quarantine. Symbolic links, also to folders, are never followed.

    With a partner (and dataset) only that folder is walked: the triggerer's watchers and the
    publish DAG's ``settle`` ask this of every dataset every few seconds."""
    root = landing / partner / dataset if partner and dataset else landing / partner if partner else landing
    below = root.relative_to(landing).parts
    if (not root.exists() or not root.resolve().is_relative_to(landing.resolve())  # e.g. --partner ..
            or any(landing.joinpath(*below[:i + 1]).is_symlink() for i in range(len(below)))):
        return []
    selected = []
    for p in sorted(root.rglob("*")):  # rglob does not descend into linked folders
        parts = p.relative_to(landing).parts
        if (any(x.startswith(".") for x in parts[:-1]) or p.name.endswith(IN_PROGRESS)
                or (partner and parts[0] != partner)
                or (dataset and (len(parts) < 3 or parts[1] != dataset))):
            continue
        try:
            mode = p.lstat().st_mode
        except FileNotFoundError:  # claimed meanwhile
            continue
        if stat.S_ISREG(mode) or (others and not stat.S_ISDIR(mode)):
            selected.append(p)
    return selected


def stalled_uploads(landing: Path, now: float | None = None) -> list[tuple[Path, float]]:
    """Unfinished uploads (``IN_PROGRESS`` names) untouched for ``STALLED_HOURS``, with their age in hours.

    They are never ingested (nobody renamed them), so without this nobody would hear of them."""
    now = time.time() if now is None else now
    stalled = []
    for p in sorted(landing.rglob("*")) if landing.exists() else []:
        parts = p.relative_to(landing).parts
        if any(x.startswith(".") for x in parts[:-1]) or not p.name.endswith(IN_PROGRESS):
            continue
        with contextlib.suppress(FileNotFoundError):  # finished and renamed meanwhile
            st = p.lstat()
            if stat.S_ISREG(st.st_mode) and (age := (now - st.st_mtime) / 3600) >= STALLED_HOURS:
                stalled.append((p.relative_to(landing), age))
    return stalled


class Claims:
    """One run's claims (a context manager that tidies its empty folders)."""

    def __init__(self, landing: Path):
        self.landing = landing
        self.root = landing / ".processing"
        self.dir = self.root / f"{owner_token()}-{secrets.token_hex(4)}"

    def __enter__(self) -> Claims:
        return self

    def __exit__(self, *exc) -> None:
        if self.dir.exists():  # remove our (now empty) folders; a file left here is recovered later
            for d in sorted((p for p in self.dir.rglob("*") if p.is_dir()), reverse=True):
                _rmdir_if_empty(d)
            _rmdir_if_empty(self.dir)

    def claim(self, path: Path, rel: Path, received: datetime, retried: bool = False) -> Path | None:
        """The claimed path, or None when another process claimed it first."""
        target = self.dir.joinpath(*[RETRIED] * retried, f"{received:{RECEIVED}}", rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        return target

    def recover(self, partner: str | None, dataset: str | None) -> list[Claimed]:
        found = []
        for owner in sorted(self.root.glob("*")) if self.root.exists() else []:
            if owner == self.dir or not owner.is_dir() or owner_alive(owner.name.rsplit("-", 1)[0], owner):
                continue
            for f in sorted(p for p in owner.rglob("*") if p.is_symlink() or not p.is_dir()):
                rel = f.relative_to(owner)
                crashed_before = rel.parts[0] == RETRIED
                received, rel = _received(Path(*rel.parts[crashed_before:]))
                if (partner and rel.parts[0] != partner) or (dataset and rel.parts[1:2] != (dataset,)):
                    continue
                if (claimed := self.claim(f, rel, received, retried=True)) is not None:
                    log.warning("recovered %s, left unfinished by %s%s", rel, owner.name,
                                " for the second time: it is quarantined" if crashed_before else "")
                    found.append(Claimed(claimed, rel, received, crashed_before))
            for d in sorted((p for p in owner.rglob("*") if p.is_dir()), reverse=True):
                _rmdir_if_empty(d)
            _rmdir_if_empty(owner)
        return found


def claim_each(claims: Claims, recovered: list[Claimed], waiting: list[Path]):
    """Claim files one at a time, just before each is ingested, so parallel runs share the work."""
    yield from recovered
    for path in waiting:
        rel, received = path.relative_to(claims.landing), datetime.now(UTC)
        if (claimed := claims.claim(path, rel, received)) is not None:
            yield Claimed(claimed, rel, received)


def _received(rel: Path) -> tuple[datetime, Path]:
    """When a recovered file was claimed, and where it landed (claims made before the time was kept
    in the path count as received now)."""
    try:
        return datetime.strptime(rel.parts[0], RECEIVED).replace(tzinfo=UTC), Path(*rel.parts[1:])
    except ValueError:
        return datetime.now(UTC), rel


def _rmdir_if_empty(d: Path) -> None:
    with contextlib.suppress(OSError):
        d.rmdir()
