"""Run build, validate or publish in a child process of an Airflow task.

The same dbt build took 1.3 times as long inside an Airflow 3 task process as in a child
process of that task (10-year warehouse, LocalExecutor: 39.4 s in the task, 29.5 s in a child
of it; 23 s with no Airflow running at all), so the task only starts the stage and waits. The
child's output goes to the task log as before; its result (or the gate failure that stopped
it) comes back through a JSON file.

``python -m marmot.orchestration.stage_process STAGE HOME RESULT_FILE`` reads the stage's input (publish:
the validation result) as JSON on stdin.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from marmot.settings import HOME_ENV, Paths

STAGES = ("build", "validate", "publish")


class StageFailed(RuntimeError):
    """The stage failed (a bug, a dbt error): worth a retry."""


def run(stage: str, paths: Paths, given: dict | None = None) -> dict:
    """The stage's result; raises ``pipeline.GateFailed`` when a quality gate stopped it and
    ``StageFailed`` for any other failure."""
    from marmot.orchestration.pipeline import GateFailed

    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; one of {', '.join(STAGES)}")
    with tempfile.TemporaryDirectory(prefix=f"marmot-{stage}-") as tmp:
        result_file = Path(tmp) / "result.json"
        proc = subprocess.run([sys.executable, "-m", "marmot.orchestration.stage_process", stage, str(paths.home),
                               str(result_file)],
                              input=json.dumps(given).encode(), env={**os.environ, HOME_ENV: str(paths.home)})
        outcome = json.loads(result_file.read_text()) if result_file.exists() else {}
    if "result" in outcome:
        return outcome["result"]
    if outcome.get("gate_failed"):
        raise GateFailed(outcome["gate_failed"])
    raise StageFailed(outcome.get("error") or f"marmot {stage} ended with exit code {proc.returncode} "
                                                "(its output is above in this log)")


def _main(stage: str, home: str, result_file: str) -> int:
    from marmot.logs import configure_logging
    from marmot.orchestration import pipeline

    configure_logging()
    paths = Paths(Path(home))
    given = json.loads(sys.stdin.read() or "null")
    try:
        result = pipeline.publish(paths, given) if stage == "publish" else getattr(pipeline, stage)(paths)
        outcome, code = {"result": result}, 0
    except pipeline.GateFailed as exc:
        outcome, code = {"gate_failed": str(exc)}, 2
    except Exception as exc:  # reported to the task, which fails (and retries) with this message
        logging.exception("marmot %s failed", stage)
        outcome, code = {"error": f"{type(exc).__name__}: {exc}"}, 1
    Path(result_file).write_text(json.dumps(outcome, default=str))
    return code


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:4]))
