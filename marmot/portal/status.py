"""What the portal shows about datasets: what each owes and when (``marmot.monitor.freshness.dataset_status``,
the rule ``marmot status`` and the published partner page use), every delivery with its receipt, and the
published indicators made from it (``mart_indicator_metadata`` of the current publication, opened read-only) and
whether a delivery is in the current publication (its ``mart_publication_sources``)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from marmot.contracts import Contract
from marmot.ingest import ledger
from marmot.ingest.readers import sql_string
from marmot.monitor.freshness import DatasetStatus, dataset_status
from marmot.publish.csv_safe import csv_safe
from marmot.publish.query import open_read_only
from marmot.settings import Paths
from marmot.validate import report

BATCH_ID = re.compile(r"[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}")


def statuses(paths: Paths, contracts: list[Contract], as_of: date | None = None) -> list[DatasetStatus]:
    entries = [e for c in contracts for e in ledger.read_all(paths.ledger, c.partner, c.dataset)]
    return dataset_status(contracts, entries, as_of or date.today())


def deliveries(paths: Paths, contract: Contract) -> list[ledger.Entry]:
    """Every file the dataset received, newest first."""
    return list(reversed(ledger.read_all(paths.ledger, contract.partner, contract.dataset)))


def delivery(paths: Paths, contract: Contract, batch_id: str) -> ledger.Entry | None:
    if not BATCH_ID.fullmatch(batch_id):
        return None
    found = ledger.read_all(paths.ledger, contract.partner, contract.dataset, batch_id)
    return found[0] if found else None


def quarantined(paths: Paths, limit: int = 100) -> list[ledger.Entry]:
    """The latest quarantined files of every partner, newest first."""
    entries = ledger.read_all(paths.ledger, where=lambda r: r["status"] == "quarantined")
    return list(reversed(entries))[:limit]


def published_indicators(paths: Paths, contract: Contract) -> list[dict]:
    """The indicators of the current publication whose source is this dataset (none when nothing is published)."""
    db = paths.current / "marmot.duckdb"
    if not db.exists():
        return []
    con = open_read_only(db)
    try:
        rows = con.execute(
            "SELECT indicator_id, indicator_name, principle_label, latest_period FROM mart_indicator_metadata "
            f"WHERE source_partner = {sql_string(contract.partner)} "
            f"AND source_dataset = {sql_string(contract.dataset)} "
            "ORDER BY indicator_id").fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()
    return [{"indicator_id": i, "indicator_name": n, "principle": p, "latest_period": lp} for i, n, p, lp in rows]


def published_in(paths: Paths, entry: ledger.Entry) -> dict | None:
    """The current publication's version and time when its marts are made from this delivery, else None."""
    db, manifest = paths.current / "marmot.duckdb", paths.current / "manifest.json"
    if not (db.exists() and manifest.exists()):
        return None
    con = open_read_only(db)
    try:
        found = con.execute(f"SELECT count(*) FROM mart_publication_sources WHERE batch_id = "
                            f"{sql_string(entry.batch_id)}").fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()
    if not found:
        return None
    about = json.loads(manifest.read_text(encoding="utf-8"))
    return {"version": about["version"], "published_at": about["published_at"]}


def held_back(paths: Paths, entry: ledger.Entry) -> dict | None:
    """When the latest quality check of the whole publication ran after this delivery was loaded and stopped the
    publication: when it ran and whether this dataset's own checks on the delivery passed (None when they did not
    look at it); None when the latest check passed or came before the delivery."""
    about = report.latest(paths.validation)
    if about is None:
        return None
    ran = datetime.strptime(about["run_id"], report.RUN_ID).replace(tzinfo=UTC)
    if about["passed"] or ran < datetime.fromisoformat(entry.received_at):
        return None
    own = report.dataset_file(paths.validation / about["run_id"], f"{entry.partner}__{entry.dataset}")
    mine = json.loads(own.read_text(encoding="utf-8")) if own.is_file() else {}
    return {"ran_at": ran.strftime("%Y-%m-%d %H:%M"),
            "own_checks_passed": mine["passed"] if entry.batch_id in mine.get("batches", ()) else None}


def receipt_html(paths: Paths, entry: ledger.Entry) -> Path | None:
    path = paths.receipts / entry.partner / entry.dataset / f"{entry.batch_id}.html"
    return path if path.is_file() and not path.is_symlink() else None


def rejected_rows_csv(paths: Paths, entry: ledger.Entry) -> str:
    """The rejected rows ingest kept (row, column, value, problem, reason), formula-safe; only a header if none."""
    path = paths.rejects / entry.partner / entry.dataset / f"{entry.batch_id}.parquet"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row_number", "column", "value", "problem", "reason"])
    if path.is_file():
        con = duckdb.connect()
        try:
            rows = con.execute(f"SELECT row_number, column_name, value, code, reason FROM read_parquet("
                               f"{sql_string(str(path))}) ORDER BY row_number, column_name, code").fetchall()
        finally:
            con.close()
        writer.writerows([csv_safe(v) for v in row] for row in rows)
    return out.getvalue()
