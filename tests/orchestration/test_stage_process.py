"""Stages run in a child process of their Airflow task: the task gets the child's result, a gate
failure as ``GateFailed`` (not retried), anything else as ``StageFailed`` with the reason.
Here the child is a fresh process (no stage server: tests/orchestration/test_stage_server.py).
(A passing run of all three through the real scheduler: tests/orchestration/test_scheduler.py.)"""

from __future__ import annotations

import pytest

from marmot.orchestration import stage_process
from marmot.orchestration.pipeline import GateFailed
from marmot.settings import Paths


@pytest.fixture(autouse=True)
def no_stage_server(monkeypatch):
    monkeypatch.setenv("MARMOT_STAGE_SERVER_IDLE_SECONDS", "0")


def test_a_gate_failure_comes_back_as_gate_failed(home):
    with pytest.raises(GateFailed, match="publish refused: the latest validation did not pass"):
        stage_process.run("publish", home, {"passed": False, "report": "validation/x/report.txt"})


def test_a_crash_comes_back_as_stage_failed_with_its_reason(tmp_path):
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file where the platform home should be")
    with pytest.raises(stage_process.StageFailed, match="NotADirectoryError|FileExistsError"):
        stage_process.run("build", Paths(not_a_folder))


def test_only_pipeline_stages_run(tmp_path):
    with pytest.raises(ValueError, match="unknown stage 'ingest'"):
        stage_process.run("ingest", Paths(tmp_path))
