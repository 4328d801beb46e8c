"""The stage server: stages run in children forked from one process that imported their libraries already,
with the task's environment, their output in the task's log, and the server gone once idle or once its home is.
(All three stages through it under the real scheduler: tests/orchestration/test_scheduler.py.)"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marmot.orchestration import stage_process, stage_server
from marmot.orchestration.pipeline import GateFailed
from marmot.settings import Paths


def _server_pid(home: Paths) -> int:
    ready = re.findall(r"ready in [\d.]+ s \(pid (\d+)\)", (home.home / "logs" / "stage_server.log").read_text())
    assert len(ready) == 1, ready
    return int(ready[0])


def _stopped(home: Paths, seconds: float) -> str:
    """Why the home's server stopped, by its log (it is a child of this process: a zombie until reaped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stopped := re.findall(r"stops: (.*)", (home.home / "logs" / "stage_server.log").read_text()):
            return stopped[-1]
        time.sleep(0.2)
    return "still running"


@pytest.fixture
def short_lived(monkeypatch):
    monkeypatch.setenv("MARMOT_STAGE_SERVER_IDLE_SECONDS", "3")


def test_stages_run_in_children_of_one_server_with_the_tasks_environment(built, short_lived, monkeypatch, capfd):
    with pytest.raises(GateFailed, match="publish refused: the latest validation did not pass"):
        stage_process.run("publish", built, {"passed": False, "report": "validation/x/report.txt"})
    server = _server_pid(built)
    # the next stages find that server; each child runs with this process's environment as it is now (the server
    # started without these settings): a setting that does not parse fails the stage with the reason, its log
    # (with the traceback) streamed into this process's output
    monkeypatch.setenv("MARMOT_VALIDATE_GROUP_ROWS", "lots")
    capfd.readouterr()
    with pytest.raises(stage_process.StageFailed, match="MARMOT_VALIDATE_GROUP_ROWS='lots' is not a valid int"):
        stage_process.run("validate", built)
    out, err = capfd.readouterr()
    assert "ERROR marmot.orchestration.pipeline: marmot validate failed" in out + err, (out, err)
    assert "Traceback" in out + err
    monkeypatch.delenv("MARMOT_VALIDATE_GROUP_ROWS")
    monkeypatch.setenv("MARMOT_CRASH_AT", "validate:staged")  # the child kills itself once its candidate is staged
    with pytest.raises(stage_process.StageFailed, match="marmot validate ended without a result"):
        stage_process.run("validate", built)
    log = (built.home / "logs" / "stage_server.log").read_text()
    children = [int(p) for p in re.findall(r"(?:publish|validate): pid (\d+)", log)]
    assert _server_pid(built) == server and len(set(children)) == 3 and server not in children, log
    assert _stopped(built, 30) == "idle"


def test_the_server_stops_when_its_home_is_gone(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("MARMOT_STAGE_SERVER_IDLE_SECONDS", "600")
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "marmot.orchestration.stage_server", str(home)],
                                stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while "ready" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "ready" in log.read_text(), log.read_text()
        home.rmdir()
        assert proc.wait(timeout=10) == 0
        assert "its home is gone" in log.read_text()
    finally:
        proc.kill()


def test_turned_off_a_stage_runs_in_its_own_process(home, monkeypatch):
    monkeypatch.setenv("MARMOT_STAGE_SERVER_IDLE_SECONDS", "0")
    with pytest.raises(GateFailed, match="publish refused"):
        stage_process.run("publish", home, {"passed": False})
    assert not (home.home / "logs" / "stage_server.log").exists()


def test_a_server_answers_only_for_its_own_home_interpreter_and_packages(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert stage_server.address(a) == stage_server.address(a) != stage_server.address(b)
    assert stage_server._connect(Path("/nonexistent/home")) is None
