"""The pipeline stages, shared by the ``marmot`` command and the Airflow tasks.

Each stage returns a small JSON-able summary (what Airflow pushes to XCom and the CLI
prints). A failed quality gate raises ``GateFailed`` naming the report; ``current`` is left
pointing at the last good publication.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path

from marmot.settings import Paths

log = logging.getLogger(__name__)


class GateFailed(RuntimeError):
    """A critical expectation failed (or nothing validated is waiting), so nothing was published."""


def ingest(paths: Paths, partner: str | None = None, dataset: str | None = None) -> dict:
    from marmot.ingest.ingestor import Ingestor

    entries = Ingestor(paths).run(partner, dataset)
    if any(r["code"] == "restatement_drop" for e in entries for r in e.reasons):
        from marmot.monitor import notify  # imports Airflow: only when there is something to tell

        try:
            notify.restatements(paths.home, entries)
        except Exception:  # the data is loaded; the daily freshness run sends what failed here
            log.exception("telling the data team about a restatement failed; the freshness DAG retries it")
    by_status: dict[str, int] = {}
    for e in entries:
        by_status[e.status] = by_status.get(e.status, 0) + 1
    return {
        "files": len(entries),
        "by_status": by_status,
        "rows_loaded": sum(e.rows_loaded for e in entries),
        "rows_rejected": sum(e.rows_rejected for e in entries),
        "batches": [asdict(e) for e in entries],
    }


def build(paths: Paths, full_refresh: bool = False) -> dict:
    from marmot.build.dbt import build as dbt_build

    return dbt_build(paths, full_refresh=full_refresh)


def validate(paths: Paths, recheck_raw: bool = False) -> dict:
    from marmot.validate.gates import validate as run_gates

    if not paths.build_db.exists():
        raise GateFailed(f"nothing to validate: no build yet ({paths.build_db} does not exist); run `marmot build` "
                         "first (`marmot run` runs every stage)")
    report = run_gates(paths, recheck_raw=recheck_raw)
    text = str(report.folder / "report.txt")
    result = {"run_id": report.run_id, "passed": report.passed, "counts": report.counts(),
              "results": str(report.path), "report": text, "data_docs": str(report.data_docs),
              "summary": report.summary()}
    if not report.passed:
        raise GateFailed(f"quality gate blocked publication:\n{report.summary()}\n"
                         f"report: {text} (also {report.folder / 'report.html'})")
    return result


def _dbt_summary(paths: Paths) -> dict | None:
    results = paths.dbt_target / "run_results.json"
    if not results.exists():
        return None
    data = json.loads(results.read_text())
    statuses: dict[str, int] = {}
    for r in data.get("results", []):
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"dbt_version": data.get("metadata", {}).get("dbt_version"), "elapsed": data.get("elapsed_time"),
            "nodes": statuses}


def publish(paths: Paths, validation: dict | None = None) -> dict:
    from marmot.publish.snapshot import NothingToPublish
    from marmot.publish.snapshot import publish as do_publish
    from marmot.validate.report import latest

    if validation is None:
        validation = latest(paths.validation)
    if not validation or not validation.get("passed"):
        report = (validation or {}).get("report")
        raise GateFailed("publish refused: the latest validation did not pass (run `marmot validate`)"
                         + (f"; report: {report}" if report else "."))
    validation = {k: v for k, v in validation.items() if k != "summary"}
    try:
        folder = do_publish(paths, validation=validation, build=_dbt_summary(paths))
    except NothingToPublish as exc:
        raise GateFailed(f"publish refused: {exc}") from exc
    return {"version": folder.name, "folder": str(folder), "page": str(paths.current / "index.html")}


def rollback(paths: Paths) -> dict:
    from marmot.publish.snapshot import NothingToPublish
    from marmot.publish.snapshot import rollback as do_rollback

    try:
        previous, now = do_rollback(paths)
    except NothingToPublish as exc:
        raise GateFailed(str(exc)) from exc
    return {"from": previous, "to": now, "page": str(paths.current / "index.html")}


def run(paths: Paths, progress=print) -> dict:
    """Every stage in order: ingest, build, validate, publish."""
    out = {}
    for name, stage in (("ingest", ingest), ("build", build), ("validate", validate), ("publish", publish)):
        started = time.perf_counter()
        progress(f"[{name}] ...")
        out[name] = stage(paths) if name != "publish" else publish(paths, out["validate"])
        progress(f"[{name}] done in {time.perf_counter() - started:.1f}s")
    return out


def run_to_file(stage: str, home: str, result_file: str, given: dict | None) -> int:
    """Run build, validate or publish (given the validation) in this process, as an Airflow task's child
    (``marmot.orchestration.stage_process``, ``stage_server``) does; write its outcome to ``result_file`` as JSON
    (``result``, ``gate_failed`` or ``error``); return the exit code (0, 2 for a gate, 1)."""
    from marmot.logs import configure_logging

    configure_logging()
    paths = Paths(Path(home))
    try:
        result = publish(paths, given) if stage == "publish" else {"build": build, "validate": validate}[stage](paths)
        outcome, code = {"result": result}, 0
    except GateFailed as exc:
        outcome, code = {"gate_failed": str(exc)}, 2
    except Exception as exc:  # reported to the task, which fails (and retries) with this message
        log.exception("marmot %s failed", stage)
        outcome, code = {"error": f"{type(exc).__name__}: {exc}"}, 1
    Path(result_file).write_text(json.dumps(outcome, default=str))
    return code


def page_path(paths: Paths) -> Path:
    return paths.current / "index.html"
