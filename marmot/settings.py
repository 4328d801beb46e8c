"""Where everything lives, and the settings shared by the CLI, the DAGs, the tests and
docker-compose.yml (one source of truth: tests check the compose file against these).

All state sits under ``$MARMOT_HOME`` (default ``./var``), so a test can point it at a
temporary folder and get a fresh platform.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = REPO_ROOT / "ingestion" / "contracts"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DAGS_DIR = REPO_ROOT / "dags"
GEOGRAPHY_SEEDS_DIR = DBT_PROJECT_DIR / "seeds" / "geography"

PSEUDONYM_KEY_ENV = "MARMOT_PSEUDONYM_KEY"

# Airflow settings every deployment shares (embedded LocalExecutor and the Celery topology
# in docker-compose.yml). Paths and the executor are added per deployment.
AIRFLOW_SHARED_SETTINGS: dict[str, str] = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    # task slots: a monthly burst is ~27 one-file ingest tasks of 1.5-4 s each, mostly task start-up;
    # 8 slots finished one 11 s sooner than 4 on 2 cores (build/validate/publish share a pool of 1)
    "AIRFLOW__CORE__PARALLELISM": "8",
    "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
    "AIRFLOW__CORE__AUTH_MANAGER": (
        "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
    ),
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
    "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
    # a DAG file is parsed again at most every 10 s: the landing watchers of a DAG that was just
    # unpaused start only when its file is parsed again (make demo: 20 s later at Airflow's 30 s
    # default). Idle, the dag-processor takes 5.2% of a core at 10 s (1.8% at 30 s)
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
    # a task's supervisor can notice that its task process exited only at its next heartbeat
    # (when the process closes its sockets before it exits, the supervisor waits in select() on
    # no socket at all), so up to this many seconds are added to a task's end: at Airflow's
    # default of 5, 4 of the 42 tasks of a bench increment finished 5.0 s late
    "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
    "AIRFLOW__API__EXPOSE_CONFIG": "False",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
}

# Pools every deployment creates (airflow_local.start, compose's airflow-init): name -> (slots,
# description). ``warehouse``: build, validate and publish write warehouse/build.duckdb and the
# published area; one slot, so two runs never write them at once whatever the executor.
AIRFLOW_POOLS: dict[str, tuple[int, str]] = {
    "warehouse": (1, "build/validate/publish: the single writer of the DuckDB build file and published area"),
}

# The production topology (CeleryExecutor, Postgres metadata, Redis broker, two workers): used by
# airflow_local.start(celery=...) in tests/orchestration/test_celery.py and by docker-compose.yml
# (tests/test_compose.py checks the compose file against these).
AIRFLOW_CELERY_SETTINGS: dict[str, str] = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
    "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
    # task instances record the worker's name (MARMOT_WORKER_NAME) as their hostname, so two
    # workers on one machine are told apart; falls back to the machine's FQDN
    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "marmot.settings.worker_hostname",
}
CELERY_WORKERS: tuple[str, ...] = ("marmot-worker-1", "marmot-worker-2")
WORKER_NAME_ENV = "MARMOT_WORKER_NAME"
LANDING_POLL_ENV = "MARMOT_LANDING_POLL_SECONDS"


def landing_poll_seconds() -> float:
    """How often the triggerer looks at each landing folder (marmot.land.watch); default 5 s.

    A file is announced once it has stayed the same for one whole poll, so a drop starts its
    ingest 5-10 s after it lands; about 1 s where the kernel reports finished writes
    (marmot.land.watch)."""
    return float(os.environ.get(LANDING_POLL_ENV, "5"))


INGEST_WORKERS_ENV = "MARMOT_INGEST_WORKERS"


def ingest_workers() -> int:
    """Datasets one ingest run loads at the same time (threads; default: the machine's cores, at most 4)."""
    return max(1, int(os.environ.get(INGEST_WORKERS_ENV, "0")) or min(4, os.cpu_count() or 1))


def worker_hostname() -> str:
    """Airflow ``hostname_callable``: the Celery worker's name when set, else the machine's FQDN."""
    import socket

    return os.environ.get(WORKER_NAME_ENV) or socket.getfqdn()


@dataclass(frozen=True)
class Paths:
    """The folders of one platform home."""

    home: Path

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def ledger(self) -> Path:
        return self.home / "ledger"

    @property
    def receipts(self) -> Path:
        return self.home / "receipts"

    @property
    def raw(self) -> Path:
        """Immutable Parquet, one file per accepted batch: parallel ingests never share a file."""
        return self.home / "warehouse" / "raw"

    @property
    def rejects(self) -> Path:
        return self.home / "warehouse" / "rejects"

    @property
    def build_db(self) -> Path:
        """The DuckDB file dbt builds into; only the build task writes it, nobody reads it live."""
        return self.home / "warehouse" / "build.duckdb"

    @property
    def dbt_target(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.home / "dbt" / "logs"

    @property
    def validation(self) -> Path:
        return self.home / "validation"

    @property
    def published(self) -> Path:
        return self.home / "published"

    @property
    def current(self) -> Path:
        return self.published / "current"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def generated(self) -> Path:
        return self.home / "generated"


def marmot_home() -> Path:
    return Path(os.environ.get("MARMOT_HOME", "var")).resolve()


def paths(home: Path | None = None) -> Paths:
    return Paths((home or marmot_home()).resolve())


def pseudonym_key() -> bytes:
    """The HMAC key for pseudonyms. There is deliberately no default: a missing key is an error."""
    key = os.environ.get(PSEUDONYM_KEY_ENV, "")
    if len(key) < 16:
        raise RuntimeError(
            f"{PSEUDONYM_KEY_ENV} is not set (or shorter than 16 characters). Direct identifiers "
            "are replaced by keyed pseudonyms and there is no default key: set it in the "
            "environment (or the Airflow worker's environment) to a long random secret, e.g. "
            "`export MARMOT_PSEUDONYM_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`."
        )
    return key.encode()


def ensure_local_pseudonym_key(paths: Paths) -> None:
    """For a local install (demo, `make up`): a random key made once under the home's secrets/.

    Not a default key: each home gets its own random secret, and an environment variable
    set by the operator always wins. Production deployments set the variable.
    """
    if os.environ.get(PSEUDONYM_KEY_ENV):
        return
    key_file = paths.home / "secrets" / "pseudonym.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    os.environ[PSEUDONYM_KEY_ENV] = key_file.read_text().strip()
    print(f"local pseudonym key: {key_file} (set {PSEUDONYM_KEY_ENV} to use your own)")
