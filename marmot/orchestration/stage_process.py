"""Run build, validate or publish in a child process of an Airflow task.

The same dbt build took 1.3 times as long inside an Airflow 3 task process as in a child
process of that task (10-year warehouse, LocalExecutor: 39.4 s in the task, 29.5 s in a child
of it; 23 s with no Airflow running at all), so the task only starts the stage and waits. The
child's output goes to the task log as before; its result (or the gate failure that stopped
it) comes back through a JSON file.

The child is forked from the home's stage server (``marmot.orchestration.stage_server``), which has imported
dbt, Great Expectations and the site's libraries already; without one (turned off, or not answering), it is a
fresh Python process.

``python -m marmot.orchestration.stage_process STAGE HOME RESULT_FILE`` reads the stage's input (publish:
the validation result) as JSON on stdin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from marmot.orchestration import stage_server
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
        returncode = None
        if not stage_server.run(stage, paths.home, result_file, given):
            returncode = subprocess.run([sys.executable, "-m", "marmot.orchestration.stage_process", stage,
                                         str(paths.home), str(result_file)], input=json.dumps(given).encode(),
                                        env={**os.environ, HOME_ENV: str(paths.home)}).returncode
        outcome = json.loads(result_file.read_text()) if result_file.exists() else {}
    if "result" in outcome:
        return outcome["result"]
    if outcome.get("gate_failed"):
        raise GateFailed(outcome["gate_failed"])
    raise StageFailed(outcome.get("error") or f"marmot {stage} ended "
                      + ("without a result" if returncode is None else f"with exit code {returncode}")
                      + " (its output is above in this log)")


if __name__ == "__main__":
    from marmot.orchestration.pipeline import run_to_file

    sys.exit(run_to_file(*sys.argv[1:4], json.loads(sys.stdin.read() or "null")))
