"""The ledger: one JSON record per landed file, whatever happened to it.

Records are separate files (``ledger/<partner>/<dataset>/<batch_id>.json``) written
atomically, so ingests of different partners in parallel processes never contend for a lock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from marmot.atomic import PRIVATE, private_dirs, write_text
from marmot.owners import owner_alive, owner_token

STATUSES = ("accepted", "accepted_with_warnings", "quarantined", "duplicate", "superseded")
LOADED = ("accepted", "accepted_with_warnings")


@dataclass
class Entry:
    batch_id: str
    partner: str
    dataset: str
    original_name: str
    sha256: str
    bytes: int
    received_at: str
    status: str
    archive_path: str
    reasons: list[dict] = field(default_factory=list)
    rows_in: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    periods: list[str] = field(default_factory=list)
    receipt_path: str = ""
    superseded_by: str | None = None
    # a restatement: the loaded batches it replaces (batch_id, original_name, received_at, rows_loaded, periods)
    replaces: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown ledger status {self.status!r}")
        if self.rows_in != self.rows_loaded + self.rows_rejected:
            raise ValueError(
                f"{self.original_name}: rows_in {self.rows_in} != loaded {self.rows_loaded} "
                f"+ rejected {self.rows_rejected}"
            )


def entry_path(ledger_dir: Path, entry: Entry, batch_id: str | None = None) -> Path:
    return ledger_dir / entry.partner / entry.dataset / f"{batch_id or entry.batch_id}.json"


def write(ledger_dir: Path, entry: Entry) -> Path:
    path = entry_path(ledger_dir, entry)
    private_dirs(ledger_dir, entry.partner, entry.dataset)  # names as sent (one held an NHS number), reasons
    write_text(path, json.dumps(asdict(entry), indent=2, sort_keys=True), PRIVATE)
    return path


_parsed: dict[str, tuple[tuple[int, int], dict]] = {}  # path -> ((mtime_ns, size), record)


def _record(path: str) -> dict:
    """A ledger record, parsed once per version of the file (ingest reads a dataset's ledger for
    every file it loads; re-parsing every record each time made a long history quadratic).
    Paths are plain strings here: making a ``Path`` per record per file cost more than its ``stat``."""
    st = os.stat(path)
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _parsed.get(path)
    if cached is None or cached[0] != stamp:
        with open(path, encoding="utf-8") as f:
            cached = _parsed[path] = (stamp, json.load(f))
    return cached[1]


def _record_paths(ledger_dir: Path, partner: str | None, dataset: str | None, ending: str) -> list[str]:
    """One dataset's folder is listed directly (ingest asks for every file loaded; a glob cost
    more than the listing), anything wider by glob."""
    if partner and dataset:
        try:
            with os.scandir(ledger_dir / partner / dataset) as found:
                return [e.path for e in found
                        if e.name.endswith(ending) and not e.name.startswith(".") and e.is_file()]
        except FileNotFoundError:
            return []
    return [str(p) for p in ledger_dir.glob(f"{partner or '*'}/{dataset or '*'}/*{ending}")]


def read_all(ledger_dir: Path, partner: str | None = None, dataset: str | None = None,
             batch_suffix: str = "", where: Callable[[dict], bool] | None = None) -> list[Entry]:
    """Records of every landed file (of a partner, dataset, or batch ids ending ``batch_suffix``;
    only those whose JSON satisfies ``where``, tested before an Entry is made of it)."""
    entries = []
    for path in _record_paths(ledger_dir, partner, dataset, f"{batch_suffix}.json"):
        r = _record(path)
        if where is None or where(r):
            entries.append(Entry(**{**r, "reasons": [dict(x) for x in r["reasons"]], "periods": list(r["periods"]),
                                    "replaces": [dict(x) for x in r.get("replaces", ())]}))
    return sorted(entries, key=lambda e: (e.received_at, e.batch_id))


@contextmanager
def content_claim(ledger_dir: Path, partner: str, dataset: str, sha256: str) -> Iterator[bool]:
    """Hold the right to load these bytes for this dataset (True), or learn that another live
    process is loading them now (False). A crashed holder's claim is taken over."""
    lock = ledger_dir / partner / dataset / ".claims" / sha256
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        os.write(fd, owner_token().encode())
        os.close(fd)
    except FileExistsError:
        try:
            holder = lock.read_text()
            if owner_alive(holder, lock):
                yield False
                return
        except FileNotFoundError:  # released while we looked
            pass
        lock.write_text(owner_token())
    try:
        yield True
    finally:
        lock.unlink(missing_ok=True)
