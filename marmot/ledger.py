"""The ledger: one JSON record per landed file, whatever happened to it.

Records are separate files (``ledger/<partner>/<dataset>/<batch_id>.json``) written
atomically, so ingests of different partners in parallel processes never contend for a lock.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

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

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown ledger status {self.status!r}")
        if self.rows_in != self.rows_loaded + self.rows_rejected:
            raise ValueError(
                f"{self.original_name}: rows_in {self.rows_in} != loaded {self.rows_loaded} + rejected {self.rows_rejected}"
            )


def entry_path(ledger_dir: Path, entry: Entry) -> Path:
    return ledger_dir / entry.partner / entry.dataset / f"{entry.batch_id}.json"


def write(ledger_dir: Path, entry: Entry) -> Path:
    path = entry_path(ledger_dir, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(entry), indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_all(ledger_dir: Path, partner: str | None = None, dataset: str | None = None) -> list[Entry]:
    pattern = f"{partner or '*'}/{dataset or '*'}/*.json"
    entries = [Entry(**json.loads(p.read_text(encoding="utf-8"))) for p in ledger_dir.glob(pattern)]
    return sorted(entries, key=lambda e: (e.received_at, e.batch_id))
