"""Archive retention: each original file (as the partner sent it, direct identifiers included) is deleted
``retention.archive_days`` after it was received (the contract's setting; ``marmot archive purge``, daily in
the freshness DAG). What stays: the ledger record with the file's SHA-256, and a record of the deletion in
``ledger/_purges/<time>.json`` (batch, hash, archive path, when received, when deleted, the retention applied).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta

from marmot.atomic import PRIVATE, private_dirs, write_text
from marmot.contracts import Contract
from marmot.contracts.model import Retention
from marmot.ingest import ledger
from marmot.settings import Paths

PURGES = "_purges"  # under ledger/: one level up from the records (ledger/<partner>/<dataset>/), never read as one


def purge_archive(paths: Paths, contracts: dict[str, Contract], today: date) -> list[dict]:
    """Delete the archived files whose retention ended on or before ``today``; return what was deleted."""
    purged, now = [], datetime.now(UTC)
    for entry in ledger.read_all(paths.ledger):
        contract = contracts.get(f"{entry.partner}__{entry.dataset}")
        days = (contract.retention if contract else Retention()).archive_days  # a retired dataset: the default
        archived = paths.home / entry.archive_path
        if (not entry.archive_path or not os.path.lexists(archived)
                or date.fromisoformat(entry.received_at[:10]) + timedelta(days=days) > today):
            continue
        archived.unlink()
        purged.append({"batch_id": entry.batch_id, "partner": entry.partner, "dataset": entry.dataset,
                       "sha256": entry.sha256, "archive_path": entry.archive_path, "received_at": entry.received_at,
                       "archive_days": days, "purged_at": now.isoformat()})
    if purged:
        write_text(private_dirs(paths.ledger, PURGES) / f"{now:%Y%m%dT%H%M%S%fZ}.json",
                   json.dumps(purged, indent=2), PRIVATE)
    return purged

