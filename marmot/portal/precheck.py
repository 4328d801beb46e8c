"""The pre-check: ingest's own checks of a file, run before it lands, with nothing archived, loaded or recorded.

The file goes through ``marmot.ingest.worker.Reader`` (the child process ``Ingestor.check_and_load`` runs in, so
a hostile file cannot take the portal down) on a scratch home under ``$MARMOT_HOME/portal/precheck``: what it
writes there (the batch and its rejects) is read for the result and deleted. The problems are ingest's, as ingest
words them (code, column, message, what to do); the rejected rows are ingest's rejects (row, column, value as
ingest keeps it, reason). What only the real ledger knows is added here: an identical file already received, and
the batches a restatement would replace (with a warning when it has far fewer rows)."""

from __future__ import annotations

import secrets
import shutil
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from marmot.atomic import private_dirs
from marmot.contracts import Contract
from marmot.ingest import ledger
from marmot.ingest.problems import FIXES, FileProblem, Problem
from marmot.ingest.readers import sql_string
from marmot.ingest.worker import Reader
from marmot.settings import Paths, restatement_max_drop

SHOWN_REJECTS = 200  # rejected rows listed on the page (the counts are complete)


@dataclass
class Result:
    status: str  # what ingest would record: accepted, accepted_with_warnings, quarantined, duplicate
    rows_in: int
    rows_loaded: int
    rows_rejected: int
    periods: list[str]
    problems: list[dict]  # ingest's reasons: code, column, message, fix (row problems with rows, example_rows)
    rejects: list[dict] = field(default_factory=list)  # row, column, value, code, reason, fix
    replaces: list[dict] = field(default_factory=list)  # batches of the periods this file would restate
    rows_replaced: int = 0
    rows_restated: int = 0  # of this file's rows, those in the periods it replaces
    drop_warning: str | None = None

    @property
    def can_land(self) -> bool:
        return self.status in ledger.LOADED

    @property
    def clean(self) -> bool:
        """Nothing to tell the partner before it lands: every row passes and it replaces nothing."""
        return self.status == "accepted" and not self.replaces

    def as_dict(self) -> dict:
        return asdict(self)


class Prechecker:
    """One reader process for the portal, started on first use and again after a file crashed it."""

    def __init__(self, paths: Paths, contracts: dict[str, Contract]) -> None:
        self.paths = paths
        self.scratch = Paths(paths.portal / "precheck")
        self._reader = Reader(self.scratch, contracts, 1)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._reader.close()

    def check(self, path: Path, contract: Contract, sha256: str) -> Result:
        earlier = ledger.read_all(self.paths.ledger, contract.partner, contract.dataset, f"-{sha256[:12]}",
                                  where=lambda r: r["sha256"] == sha256
                                  and r["status"] in (*ledger.LOADED, "superseded"))
        if earlier:
            problem = Problem("duplicate_file", f"The same content was already received as "
                                                f"'{earlier[0].original_name}' (batch {earlier[0].batch_id}).")
            return Result("duplicate", 0, 0, 0, [], [problem.as_dict()])
        batch_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{sha256[:12]}-{secrets.token_hex(4)}"
        entry = ledger.Entry(batch_id=batch_id, partner=contract.partner, dataset=contract.dataset,
                             original_name=path.name, sha256=sha256, bytes=path.stat().st_size,
                             received_at=datetime.now(UTC).isoformat(), status="quarantined", archive_path="")
        problem: Problem | None = None
        with self._lock:
            private_dirs(self.scratch.home)
            if not self._reader.running:
                self._reader.start()
            try:
                self._reader.check_and_load(path, entry)
            except FileProblem as exc:
                problem = exc.problem
        raw = self.scratch.raw / contract.partner / contract.dataset / f"{batch_id}.parquet"
        rejects = self.scratch.rejects / contract.partner / contract.dataset / f"{batch_id}.parquet"
        try:
            shown = _rejects(rejects)
            per_period = _rows_per_period(raw, contract) if problem is None else {}
        finally:
            raw.unlink(missing_ok=True)
            rejects.unlink(missing_ok=True)
        if problem is not None:
            return Result("quarantined", entry.rows_in, 0, entry.rows_in, [],
                          [*entry.reasons, problem.as_dict()], shown)
        result = Result(entry.status, entry.rows_in, entry.rows_loaded, entry.rows_rejected, entry.periods,
                        entry.reasons, shown)
        self._restatement(result, contract, per_period)
        return result

    def _restatement(self, result: Result, contract: Contract, per_period: dict[str, int]) -> None:
        """The loaded batches this file would replace (the periods they hold are all in it), as ingest's
        ``_superseded`` decides, and how many rows of those periods it brings in their place."""
        covered = set(result.periods)
        replaced = ledger.read_all(self.paths.ledger, contract.partner, contract.dataset, where=lambda r: (
            r["status"] in ledger.LOADED and r["periods"] and set(r["periods"]) <= covered))
        if not replaced:
            return
        periods = {p for old in replaced for p in old.periods}
        result.replaces = [{"batch_id": e.batch_id, "original_name": e.original_name, "received_at": e.received_at,
                            "periods": e.periods, "rows_loaded": e.rows_loaded} for e in replaced]
        result.rows_replaced = sum(e.rows_loaded for e in replaced)
        result.rows_restated = sum(n for p, n in per_period.items() if p in periods)
        before, after = result.rows_replaced, result.rows_restated
        if before and (before - after) / before > restatement_max_drop():  # the threshold ingest's receipt uses
            result.drop_warning = (f"This file has {after} rows for {', '.join(sorted(periods))} where the data it "
                                   f"replaces has {before}: {100 * (before - after) / before:.0f}% fewer. Check that "
                                   "the extract is complete before sending it.")


def _rejects(path: Path) -> list[dict]:
    if not path.exists():
        return []
    con = duckdb.connect()
    try:
        rows = con.execute(f"SELECT row_number, column_name, value, code, reason FROM read_parquet("
                           f"{sql_string(str(path))}) ORDER BY row_number, column_name, code "
                           f"LIMIT {SHOWN_REJECTS}").fetchall()
    finally:
        con.close()
    return [{"row": r, "column": c, "value": v, "code": code, "reason": reason, "fix": FIXES.get(code, "")}
            for r, c, v, code, reason in rows]


def _rows_per_period(path: Path, contract: Contract) -> dict[str, int]:
    if not path.exists():
        return {}
    column = contract.column(contract.period_column).output_name.replace('"', '""')
    con = duckdb.connect()
    try:
        return dict(con.execute(f'SELECT CAST("{column}" AS VARCHAR), count(*) FROM read_parquet('
                                f"{sql_string(str(path))}) GROUP BY 1").fetchall())
    finally:
        con.close()


def clear_scratch(paths: Paths) -> None:
    """Remove what a pre-check left behind (a portal stopped mid-check)."""
    shutil.rmtree(paths.portal / "precheck", ignore_errors=True)
