"""Build the warehouse: snapshot the ledger, then `dbt build` (models, seeds and tests).

dbt reads the immutable Parquet batches directly and writes one DuckDB file that only this
step opens read-write; readers only ever open published copies.

The staging tables of partner datasets are incremental (macros/current_batch_rows.sql): a
build reads again only the periods that changed. They are rebuilt in full (``--full-refresh``)
when asked, and whenever the dbt project or a contract changed since the last successful build,
so that no row made by an older version of the SQL stays.

With the code unchanged, a build selects only the lineage of what changed since the last successful
build (``marmot.build.lineage``): the models downstream of the platform's sources and of the datasets
that received or lost batches, with their tests; the other datasets' staging models and the seeds keep
what that build left. Anything else (a first build, changed code, ``--full-refresh``, a missing
warehouse or manifest) builds every node.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from marmot.atomic import replacing
from marmot.build import lineage
from marmot.build.fingerprint import (
    built_with_code,
    changed_datasets,
    code_fingerprint,
    dataset_fingerprints,
    ledger_fingerprint,
    record_built,
)
from marmot.contracts import load_contracts
from marmot.ingest import ledger
from marmot.ingest.ingestor import ensure_schema_files
from marmot.monitor import freshness
from marmot.settings import DBT_FULL_BUILD_ENV, HOME_ENV, Paths, dbt_project_dir

log = logging.getLogger(__name__)

LEDGER_COLUMNS = {
    "batch_id": pa.string(), "partner": pa.string(), "dataset": pa.string(), "original_name": pa.string(),
    "sha256": pa.string(), "bytes": pa.int64(), "received_at": pa.string(), "status": pa.string(),
    "rows_in": pa.int64(), "rows_loaded": pa.int64(), "rows_rejected": pa.int64(), "archive_path": pa.string(),
}
SCHEDULE_COLUMNS = {
    "partner": pa.string(), "dataset": pa.string(), "partner_name": pa.string(), "dataset_title": pa.string(),
    "frequency": pa.string(), "period_type": pa.string(), "due": pa.string(), "as_of": pa.date32(),
}
PERIOD_COLUMNS = {
    "partner": pa.string(), "dataset": pa.string(), "period": pa.string(), "due": pa.date32(),
    "status": pa.string(), "received_at": pa.string(), "days_overdue": pa.int64(),
}


class BuildFailed(RuntimeError):
    pass


def _write_table(paths: Paths, name: str, columns: dict[str, pa.DataType], rows: list[dict]) -> None:
    """``warehouse/<name>.parquet`` with these typed columns (even when there are no rows), replaced atomically."""
    table = pa.table({k: pa.array([r[k] for r in rows], type=t) for k, t in columns.items()})
    target = paths.home / "warehouse" / f"{name}.parquet"
    with replacing(target) as tmp:
        pq.write_table(table, tmp)


def snapshot_ledger(paths: Paths, entries: list[ledger.Entry]) -> str:
    """Write ``warehouse/ledger.parquet`` from the ledger's records; return the fingerprint of the ledger it holds."""
    _write_table(paths, "ledger", LEDGER_COLUMNS, [{k: getattr(e, k) for k in LEDGER_COLUMNS} for e in entries])
    return ledger_fingerprint(entries)


def snapshot_schedule(paths: Paths, contracts, entries: list[ledger.Entry], as_of: date) -> None:
    """Write what the contracts expect, for the data coverage mart, by the one rule of marmot.monitor.freshness:
    ``warehouse/dataset_schedule.parquet`` (one row per contract) and ``warehouse/dataset_periods.parquet``
    (per contract, every period from the first one received with its due date and status as of ``as_of``, and
    the periods received before they were due, with no due date or status)."""
    contracts = list(contracts)
    _write_table(paths, "dataset_schedule", SCHEDULE_COLUMNS, [
        {"partner": c.partner, "dataset": c.dataset, "partner_name": c.partner_name, "dataset_title": c.title,
         "frequency": c.schedule.frequency,
         "period_type": c.schedule.period_type, "due": c.schedule.due, "as_of": as_of} for c in contracts])
    rows = [{**r.as_dict(), "due": date.fromisoformat(r.due)}
            for r in freshness.assess(contracts, entries, as_of, since_first_received=True)]
    assessed = {(r["partner"], r["dataset"], r["period"]) for r in rows}
    for c in contracts:
        rows += [{"partner": c.partner, "dataset": c.dataset, "period": period, "due": None, "status": None,
                  "received_at": received_at, "days_overdue": None}
                 for period, received_at in sorted(freshness.received_periods(entries, c).items())
                 if (c.partner, c.dataset, period) not in assessed]
    _write_table(paths, "dataset_periods", PERIOD_COLUMNS, rows)


def dbt_env(paths: Paths) -> dict[str, str]:
    project = str(dbt_project_dir())
    return {
        HOME_ENV: str(paths.home),
        "DBT_PROFILES_DIR": project,
        "DBT_PROJECT_DIR": project,
        "DBT_TARGET_PATH": str(paths.dbt_target),
        "DBT_LOG_PATH": str(paths.dbt_logs),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PARTIAL_PARSE": "true",
    }


def _release_warehouse() -> None:
    """Close the DuckDB database dbt kept open for the whole invocation (``keep_open: true`` in
    profiles.yml: opening the file again for each of the 234 nodes cost 1.5-2 s a build), so this
    process can open ``build.duckdb`` again after the build (``marmot run``, tests)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()


def run_dbt(paths: Paths, args: list[str], write_manifest: bool = True) -> dict:
    """Run a dbt command in-process; return a summary, raise BuildFailed when anything failed.

    ``write_manifest=False`` when ``target/manifest.json`` already describes this code (an increment): dbt
    serialises the whole manifest twice an invocation otherwise (0.9 s of a one-file build), and ``--no-write-json``
    also stops ``run_results.json``, which is written here from the invocation's result instead."""
    from dbt.cli.main import dbtRunner

    env = dbt_env(paths)
    os.environ.update(env)
    results_file = paths.dbt_target / "run_results.json"
    started = time.perf_counter()
    try:
        result = dbtRunner().invoke([*args, *([] if write_manifest else ["--no-write-json"]),
                                     "--project-dir", env["DBT_PROJECT_DIR"]])
    finally:
        _release_warehouse()
    if not write_manifest:  # never leave the previous invocation's results looking like this one's
        results_file.unlink(missing_ok=True)
        if hasattr(result.result, "write"):
            result.result.write(str(results_file))
    wall = time.perf_counter() - started
    nodes = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    failed = [r for r in nodes if r["status"] in ("error", "fail", "runtime error")]
    summary = {
        "command": " ".join(args),
        "wall_seconds": round(wall, 3),
        "nodes": len(nodes),
        "node_seconds": round(sum(r.get("execution_time", 0) for r in nodes), 3),
        "failed": [{"node": r["unique_id"], "message": r.get("message")} for r in failed],
    }
    if not result.success or failed:
        details = "; ".join(f"{f['node']}: {f['message']}" for f in summary["failed"]) or str(result.exception)
        raise BuildFailed(f"dbt {args[0]} failed: {details} (logs: {paths.dbt_logs / 'dbt.log'})")
    return summary


def prepare(paths: Paths, as_of: date | None = None, entries: list[ledger.Entry] | None = None) -> str:
    """What dbt needs before any model runs: a ``_schema.parquet`` per contract, the ledger snapshot (whose
    fingerprint it returns) and the contracts' schedule as of ``as_of`` (default today)."""
    contracts = load_contracts()
    ensure_schema_files(paths, contracts)
    entries = ledger.read_all(paths.ledger) if entries is None else entries
    snapshot_schedule(paths, contracts.values(), entries, as_of or date.today())
    return snapshot_ledger(paths, entries)


def _lineage(paths: Paths, datasets: dict[str, str]) -> tuple[list[str], list[str]] | None:
    """(changed datasets, models to build) for an increment; None when every node must be built."""
    changed = changed_datasets(paths, datasets)
    manifest = lineage.load_manifest(paths.dbt_target)
    if changed is None or manifest is None or not paths.build_db.exists():
        return None
    return sorted(changed), lineage.selection(manifest, changed)


def build(paths: Paths, select: list[str] | None = None, full_refresh: bool = False) -> dict:
    """``dbt build`` of the lineage of what changed, of the whole project, or of the ``--select`` arguments
    given; in full when asked or when the code changed since the last successful build (see the module
    docstring)."""
    entries = ledger.read_all(paths.ledger)
    fingerprint = prepare(paths, entries=entries)
    datasets = dataset_fingerprints(entries)
    code = code_fingerprint()
    if not full_refresh and built_with_code(paths) != code:
        log.info("no successful build with this dbt project and these contracts yet: building every table in full")
        full_refresh = True
    increment = None if full_refresh or select else _lineage(paths, datasets)
    os.environ[DBT_FULL_BUILD_ENV] = "1" if full_refresh else "0"  # models' caches start empty (models/cache.py)
    models = increment[1] if increment else select
    summary = run_dbt(paths, ["build", *(["--full-refresh"] if full_refresh else []),
                              *(["--select", *models] if models else [])], write_manifest=increment is None)
    summary["full_refresh"] = full_refresh
    summary["changed_datasets"] = increment[0] if increment else None
    summary["selected_models"] = len(models) if models else None
    if not select:
        record_built(paths, fingerprint, code, datasets)
    log.info("dbt build: %d nodes in %.1fs (models' own time %.1fs)%s", summary["nodes"],
             summary["wall_seconds"], summary["node_seconds"], ", in full" if full_refresh else
             f", the lineage of {len(increment[0])} changed datasets ({len(models)} models)" if increment else "")
    return summary
