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
    """A critical expectation failed, so nothing was published."""


def ingest(paths: Paths, partner: str | None = None, dataset: str | None = None) -> dict:
    from marmot.ingest import Ingestor

    entries = Ingestor(paths).run(partner, dataset)
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


def build(paths: Paths) -> dict:
    from marmot.build import build as dbt_build

    return dbt_build(paths)


def validate(paths: Paths) -> dict:
    from marmot.validate import validate as run_gates

    report = run_gates(paths)
    result = {"run_id": report.run_id, "passed": report.passed, "report": str(report.path),
              "summary": report.summary()}
    if not report.passed:
        raise GateFailed(f"quality gate blocked publication:\n{report.summary()}\nreport: {report.path}")
    return result


def publish(paths: Paths, validation: dict | None = None) -> dict:
    from marmot.publish import publish as do_publish

    if validation is None:
        latest = paths.validation / "latest.json"
        validation = json.loads(latest.read_text()) if latest.exists() else None
    if not validation or not validation.get("passed"):
        raise GateFailed("publish refused: the latest validation did not pass (run `marmot validate`).")
    build_summary = None
    results = paths.dbt_target / "run_results.json"
    if results.exists():
        build_summary = {"dbt_elapsed": json.loads(results.read_text()).get("elapsed_time")}
    folder = do_publish(paths, validation=validation, build=build_summary)
    return {"version": folder.name, "folder": str(folder), "page": str(paths.current / "index.html")}


def run(paths: Paths, progress=print) -> dict:
    """Every stage in order: ingest, build, validate, publish."""
    out = {}
    for name, stage in (("ingest", ingest), ("build", build), ("validate", validate), ("publish", publish)):
        started = time.perf_counter()
        progress(f"[{name}] ...")
        out[name] = stage(paths)
        progress(f"[{name}] done in {time.perf_counter() - started:.1f}s")
    return out


def page_path(paths: Paths) -> Path:
    return paths.current / "index.html"
