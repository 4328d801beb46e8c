"""Run real Airflow components on 127.0.0.1 for `make up`, `make demo` and the tests.

Never ``airflow standalone``: it binds log servers to 0.0.0.0 (STACK.md). We start the
api-server, scheduler (--skip-serve-logs), dag-processor and triggerer (--skip-serve-logs)
ourselves with LocalExecutor and SQLite metadata under ``$MARMOT_HOME/airflow``, and talk to
them through the REST API.

``start(..., celery=Celery(...))`` starts the production topology instead: CeleryExecutor,
Postgres metadata, Redis broker and one ``airflow celery worker`` per name in
``settings.CELERY_WORKERS`` (each with its own --celery-hostname), same components otherwise.

``start(..., dags_folder=...)`` loads another DAG folder instead of the project's ``dags/``
(``python -m devtools bench --dbt-in-airflow`` runs its generated DAGs that way).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devtools import CHECKOUT
from marmot.settings import (
    AIRFLOW_CELERY_SETTINGS,
    AIRFLOW_POOLS,
    AIRFLOW_SHARED_SETTINGS,
    CELERY_WORKERS,
    HOME_ENV,
    PORTAL_SECURE_COOKIES_ENV,
    PROJECT_DIR_ENV,
    WORKER_NAME_ENV,
    Paths,
    dags_dir,
    project_dir,
)

log = logging.getLogger(__name__)

USER = "admin"
PASSWORD = "admin"
COMPONENTS = {
    "api-server": ["api-server", "--host", "127.0.0.1", "--port", "{port}", "--workers", "1"],
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}


@dataclass(frozen=True)
class Celery:
    """Where the Celery topology keeps its metadata and queue (Postgres and Redis URLs)."""

    database_url: str  # postgresql+psycopg2://user@127.0.0.1:5432/db
    broker_url: str  # redis://127.0.0.1:6379/<db number>
    workers: tuple[str, ...] = CELERY_WORKERS

    def env(self) -> dict[str, str]:
        return {
            **AIRFLOW_CELERY_SETTINGS,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.database_url,
            "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.database_url,
        }


def airflow_env(paths: Paths, port: int, celery: Celery | None = None,
                dags_folder: Path | None = None) -> dict[str, str]:
    """Environment of every Airflow process (embedded LocalExecutor, or the Celery topology)."""
    home = paths.airflow_home
    home.mkdir(parents=True, exist_ok=True)
    passwords = home / "simple_auth_manager_passwords.json"
    passwords.write_text(json.dumps({USER: PASSWORD}))
    env = dict(os.environ)
    env.update(AIRFLOW_SHARED_SETTINGS)
    env.update({
        "AIRFLOW_HOME": str(home),
        HOME_ENV: str(paths.home),
        PROJECT_DIR_ENV: str(project_dir()),  # Airflow's processes do not run in the project folder
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder or dags_dir()),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": _secret(home),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": env.get("AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "10"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        # the checkout, so DAG files that devtools writes (the bench's) can import devtools
        "PYTHONPATH": os.pathsep.join(p for p in (str(CHECKOUT), env.get("PYTHONPATH")) if p),
    })
    if celery is not None:
        env.update(celery.env())
    return env


def _secret(home: Path) -> str:
    """A per-home JWT secret, made once (the API server and the workers must share it)."""
    path = home / "jwt_secret"
    if not path.exists():
        path.write_text(os.urandom(24).hex())
        path.chmod(0o600)
    return path.read_text()


def _die_with_parent() -> None:
    """Child processes get SIGTERM when the process that started them dies (tests, demo)."""
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    os.setsid()


def migrate(paths: Paths, port: int, celery: Celery | None = None) -> None:
    """``airflow db migrate`` then the project's pools (``airflow pools set``)."""
    env = airflow_env(paths, port, celery)
    commands = [["db", "migrate"], *(["pools", "set", name, str(slots), description]
                                     for name, (slots, description) in AIRFLOW_POOLS.items())]
    for command in commands:
        result = subprocess.run([_airflow(), *command], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(command[:2])} failed:\n{result.stdout[-3000:]}\n"
                               f"{result.stderr[-3000:]}")


def worker_args(name: str) -> list[str]:
    """``airflow celery worker`` of one named worker (no log server: nothing listens beyond loopback)."""
    return ["celery", "worker", "--celery-hostname", name, "--skip-serve-logs",
            "--concurrency", AIRFLOW_CELERY_SETTINGS["AIRFLOW__CELERY__WORKER_CONCURRENCY"]]


def _airflow() -> str:
    return str(Path(sys.executable).parent / "airflow")


def start(paths: Paths, port: int = 8080, *, tie_to_parent: bool = False, timeout: float = 120,
          celery: Celery | None = None, dags_folder: Path | None = None, portal_port: int | None = None) -> dict:
    """Migrate the metadata DB, start the four components (and the Celery workers, and with ``portal_port`` the
    partner portal on 127.0.0.1, plain http: cookies not ``Secure``), wait until the API answers."""
    if status(paths)["running"]:
        stop(paths)
    migrate(paths, port, celery)
    env = airflow_env(paths, port, celery, dags_folder)
    logs = paths.airflow_home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = {name: ([a.format(port=port) for a in args], env) for name, args in COMPONENTS.items()}
    for worker in celery.workers if celery else ():
        processes[f"worker-{worker}"] = (worker_args(worker), {**env, WORKER_NAME_ENV: worker})
    pids = {}
    for name, (args, proc_env) in processes.items():
        out = open(component_log(paths, name), "ab")  # noqa: SIM115 - the component's stdout, it outlives this call
        proc = subprocess.Popen(
            [_airflow(), *args], env=proc_env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent if tie_to_parent else os.setsid,
        )
        pids[name] = proc.pid
    if portal_port is not None:
        out = open(component_log(paths, "portal"), "ab")  # noqa: SIM115 - the portal's output, it outlives this call
        pids["portal"] = subprocess.Popen(
            [str(Path(sys.executable).parent / "marmot"), "portal", "serve", "--port", str(portal_port)],
            env={**env, PORTAL_SECURE_COOKIES_ENV: "0"}, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent if tie_to_parent else os.setsid).pid
    (paths.airflow_home / "pids.json").write_text(json.dumps({"port": port, "pids": pids}))
    client = Client(port)
    client.wait_healthy(timeout)
    return {"url": f"http://127.0.0.1:{port}", "user": USER, "password": PASSWORD, "logs": str(logs),
            "portal": f"http://127.0.0.1:{portal_port}" if portal_port is not None else None}


def component_log(paths: Paths, name: str) -> Path:
    """Where ``start`` writes a component's output (``triggerer``, ``scheduler``, ...)."""
    return paths.airflow_home / "logs" / f"{name}.log"


def wait_triggers_started(paths: Paths, count: int, *, since: int = 0, timeout: float = 120) -> float:
    """Wait until the triggerer has started ``count`` triggers (landing watchers start when their
    DAG is unpaused) since byte ``since`` of its log; return the seconds waited."""
    started = time.monotonic()
    while True:
        log = component_log(paths, "triggerer")
        with open(log, "rb") as f:
            f.seek(since)
            found = len(re.findall(rb"trigger ID \d+ starting", f.read()))
        if found >= count:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{found} of {count} triggers started after {timeout}s (see {log})")
        time.sleep(0.5)


def status(paths: Paths) -> dict:
    path = paths.airflow_home / "pids.json"
    if not path.exists():
        return {"running": {}}
    info = json.loads(path.read_text())
    running = {n: p for n, p in info["pids"].items() if is_alive(p)}
    return {"port": info["port"], "running": running}


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(paths: Paths, timeout: float = 20) -> int:
    """SIGTERM every component's process group, SIGKILL what is left after ``timeout``."""
    running = status(paths)["running"]
    for pid in running.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(is_alive(p) for p in running.values()):
        time.sleep(0.2)
        for pid in running.values():  # reap our own children so they do not linger as zombies
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
    for pid in running.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # our own child, killed: reaped, not left a zombie
            os.waitpid(pid, 0)
    deadline = time.monotonic() + 5  # another process's child goes once the kernel has delivered SIGKILL
    while time.monotonic() < deadline and any(is_alive(p) for p in running.values()):
        time.sleep(0.1)
    (paths.airflow_home / "pids.json").unlink(missing_ok=True)
    return len(running)


class Client:
    """The few REST API calls we need (stdlib only)."""

    def __init__(self, port: int, user: str = USER, password: str = PASSWORD):
        self.base = f"http://127.0.0.1:{port}"
        self.user, self.password = user, password
        self._token: str | None = None

    def _request(self, method: str, path: str, body: dict | None = None, auth: bool = True) -> dict:
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        req = urllib.request.Request(self.base + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        attempt = 0
        while True:
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    return json.loads(resp.read() or b"{}")
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:500]
                # SQLite takes one writer at a time: a request that met a lock (after the driver's own
                # 5 s wait) was rolled back and is safe to send again
                if exc.code == 500 and b"Database error" in detail and attempt < 3:
                    log.warning("%s %s met a busy metadata database; trying again", method, path)
                    time.sleep(2 ** attempt)
                    attempt += 1
                    continue
                raise RuntimeError(f"{method} {path} -> {exc.code}: {detail!r}") from exc

    def token(self) -> str:
        if self._token is None:
            self._token = self._request("POST", "/auth/token", {"username": self.user, "password": self.password},
                                        auth=False)["access_token"]
        return self._token

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                health = self._request("GET", "/api/v2/monitor/health", auth=False)
                if health.get("metadatabase", {}).get("status") == "healthy":
                    return
            except (OSError, RuntimeError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"Airflow API on {self.base} not healthy after {timeout}s")
            time.sleep(1)

    def wait_dag(self, dag_id: str, timeout: float = 120) -> None:
        """Wait until the dag-processor has parsed ``dag_id`` and its file is there (the DAG is not stale)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if not self._request("GET", f"/api/v2/dags/{dag_id}").get("is_stale"):
                    return
                problem = "stale: its file was removed"
            except RuntimeError as exc:
                problem = str(exc)
            if time.monotonic() > deadline:
                errors = self._request("GET", "/api/v2/importErrors")
                raise TimeoutError(f"DAG {dag_id} not parsed after {timeout}s ({problem}); import errors: {errors}")
            time.sleep(1)

    def unpause(self, dag_id: str) -> None:
        self._request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        return self._request("POST", f"/api/v2/dags/{dag_id}/dagRuns",
                             {"logical_date": None, "conf": conf or {}})["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        """The 20 latest runs, newest first (``run_count`` gives the total)."""
        return self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=-start_date&limit=20")["dag_runs"]

    def published_run(self, dag_id: str, *, after: int) -> tuple[dict | None, list[tuple[dict, dict]]]:
        """The runs of the publish DAG beyond ``after`` with their task states, newest first, and
        the one whose ``publish`` task succeeded (None if none did). Runs that followed it in the
        same burst skip their build (``marmot.orchestration.settle``), so the latest run is not the
        one that published."""
        runs = self.runs(dag_id)[:max(0, self.run_count(dag_id) - after)]
        states = [(r, self.task_states(dag_id, r["dag_run_id"])) for r in runs]
        return next((r for r, s in states if s.get("publish") == "success"), None), states

    def run_count(self, dag_id: str) -> int:
        return self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns?limit=1")["total_entries"]

    def wait_run(self, dag_id: str, run_id: str | None = None, *, after: int = 0, timeout: float = 300) -> dict:
        """Wait for a run (a given one, or the first new one beyond ``after`` runs) to finish."""
        deadline = time.monotonic() + timeout
        while True:
            runs = self.runs(dag_id)
            run = next((r for r in runs if r["dag_run_id"] == run_id), None) if run_id else (
                runs[0] if runs and self.run_count(dag_id) > after else None)
            if run and run["state"] in ("success", "failed"):
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} run {run_id or '(new)'} not finished after {timeout}s: {run}")
            time.sleep(1)

    def wait_settled(self, dag_id: str, *, after: int = 0, timeout: float = 600) -> dict:
        """Wait until ``dag_id`` has more than ``after`` runs and none is queued or running; return the latest."""
        deadline = time.monotonic() + timeout
        settled_since = None
        while True:
            runs = self.runs(dag_id)
            if self.run_count(dag_id) > after and all(r["state"] in ("success", "failed") for r in runs):
                settled_since = settled_since or time.monotonic()
                # asset events just emitted can still create a run: settled means settled for a while
                if time.monotonic() - settled_since >= 6:
                    return runs[0]
            else:
                settled_since = None
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} runs not settled after {timeout}s: {[r['state'] for r in runs]}")
            time.sleep(2)

    def wait_idle(self, dag_ids: list[str], timeout: float = 300) -> None:
        """Wait until no run of these DAGs is queued or running (none need have run at all)."""
        deadline = time.monotonic() + timeout
        while any(r["state"] not in ("success", "failed") for d in dag_ids for r in self.runs(d)[:3]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs of {dag_ids} still active after {timeout}s")
            time.sleep(1)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        """Every task instance of a run (the API returns at most 100 per page)."""
        tis: list[dict] = []
        while True:
            page = self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
                                        f"?limit=100&offset={len(tis)}")
            tis += page["task_instances"]
            if not page["task_instances"] or len(tis) >= page["total_entries"]:
                return tis

    def pools(self) -> dict[str, int]:
        return {p["name"]: p["slots"] for p in self._request("GET", "/api/v2/pools")["pools"]}

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        return {t["task_id"]: t["state"] for t in self.task_instances(dag_id, run_id)}


def platform_dags() -> list[str]:
    """Every DAG of the platform: one ingest DAG per contract, the publication and the freshness check."""
    from marmot.contracts import load_contracts

    return [*(f"ingest__{c.id}" for c in load_contracts().values()), "marmot_build_validate_publish",
            "marmot_freshness"]


def unpause(client: Client, dag_ids: list[str]) -> None:
    """Wait until each DAG is parsed, then unpause it: Airflow creates DAGs paused, and a paused ingest DAG leaves
    a partner's upload waiting in the landing area for ever."""
    for dag_id in dag_ids:
        client.wait_dag(dag_id)
    for dag_id in dag_ids:
        client.unpause(dag_id)
