"""Where everything lives, and every setting the platform reads from the environment (one source
of truth: no other module under marmot/ reads os.environ, tests/test_settings.py checks it, and the
README's "Settings (environment)" table lists exactly the ``*_ENV`` names below; tests check
docker-compose.yml against these too).

All state sits under ``$MARMOT_HOME`` (default ``./var``), so a test can point it at a
temporary folder and get a fresh platform. The project (contracts, dbt project, expectations,
DAGs) sits under ``$MARMOT_PROJECT_DIR``, by default the nearest folder from the current one
upwards that holds ``ingestion/contracts``: the package works installed, not only from a checkout.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _read(name: str, default: str, parse: Callable[[str], T] = str) -> T:
    """The variable parsed (an empty value counts as unset), with an error naming it when it does not parse."""
    raw = os.environ.get(name) or default
    try:
        return parse(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a valid {getattr(parse, '__name__', 'value')}") from None


def _workers(name: str) -> int:
    """A count of workers: the variable, or by default the machine's cores, at most 4."""
    return max(1, _read(name, "0", int) or min(4, os.cpu_count() or 1))


# -- the project: contracts, dbt project, expectations, DAGs ----------------------------------
PROJECT_DIR_ENV = "MARMOT_PROJECT_DIR"
CONTRACTS_DIR_ENV = "MARMOT_CONTRACTS_DIR"
DBT_PROJECT_DIR_ENV = "MARMOT_DBT_PROJECT_DIR"
EXPECTATIONS_DIR_ENV = "MARMOT_EXPECTATIONS_DIR"
PROJECT_MARKER = Path("ingestion") / "contracts"


class ProjectNotFound(RuntimeError):
    """No project folder: neither set nor found from the current folder upwards."""


def project_dir() -> Path:
    """The folder holding ingestion/contracts, dbt_project, expectations and dags: ``MARMOT_PROJECT_DIR``,
    else the nearest of the current folder and its parents that has ``ingestion/contracts`` (as git finds .git)."""
    if given := os.environ.get(PROJECT_DIR_ENV):
        folder = Path(given).resolve()
        if not folder.is_dir():
            raise ProjectNotFound(f"{PROJECT_DIR_ENV}={given!r} is not a folder")
        return folder
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_MARKER).is_dir():
            return folder
    raise ProjectNotFound(
        f"no Marmot project found: neither {here} nor a folder above it holds {PROJECT_MARKER}. Run from inside "
        f"the project, or set {PROJECT_DIR_ENV} to the folder holding ingestion/contracts, dbt_project, "
        "expectations and dags")


def _project_part(env: str, default: Path) -> Path:
    given = os.environ.get(env)
    return Path(given).resolve() if given else project_dir() / default


def contracts_dir() -> Path:
    """Partner data contracts: ``MARMOT_CONTRACTS_DIR``, default ``<project>/ingestion/contracts``."""
    return _project_part(CONTRACTS_DIR_ENV, PROJECT_MARKER)


def dbt_project_dir() -> Path:
    """The dbt project (and its profiles.yml): ``MARMOT_DBT_PROJECT_DIR``, default ``<project>/dbt_project``."""
    return _project_part(DBT_PROJECT_DIR_ENV, Path("dbt_project"))


def expectations_dir() -> Path:
    """Quality gate suites: ``MARMOT_EXPECTATIONS_DIR``, default ``<project>/expectations``."""
    return _project_part(EXPECTATIONS_DIR_ENV, Path("expectations"))


def dags_dir() -> Path:
    """The Airflow DAG files, ``<project>/dags`` (Airflow itself is pointed at them by AIRFLOW__CORE__DAGS_FOLDER)."""
    return project_dir() / "dags"


def geography_seeds_dir() -> Path:
    """The LSOA, ward and IMD lookups the ingest and the synthetic data read (dbt seeds)."""
    return dbt_project_dir() / "seeds" / "geography"


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

# -- the platform's settings: one function each, with its default ------------------------------
HOME_ENV = "MARMOT_HOME"
PSEUDONYM_KEY_ENV = "MARMOT_PSEUDONYM_KEY"
WORKER_NAME_ENV = "MARMOT_WORKER_NAME"
LANDING_POLL_ENV = "MARMOT_LANDING_POLL_SECONDS"
INGEST_WORKERS_ENV = "MARMOT_INGEST_WORKERS"
READER_MEMORY_ENV = "MARMOT_READER_MEMORY_MB"
INGEST_MEMORY_ENV = "MARMOT_INGEST_MEMORY_LIMIT"
SITE_WORKERS_ENV = "MARMOT_SITE_WORKERS"
SETTLE_ENV = "MARMOT_SETTLE_MAX_SECONDS"
STAGE_SERVER_IDLE_ENV = "MARMOT_STAGE_SERVER_IDLE_SECONDS"
STAGE_SERVER_START_ENV = "MARMOT_STAGE_SERVER_START_SECONDS"
GROUP_ROWS_ENV = "MARMOT_VALIDATE_GROUP_ROWS"
KEEP_VERSIONS_ENV = "MARMOT_KEEP_VERSIONS"
KEEP_RUNS_ENV = "MARMOT_KEEP_VALIDATIONS"
PRINCIPLES_SEVERITY_ENV = "MARMOT_PRINCIPLES_SEVERITY"
DATA_TEAM_ENV = "MARMOT_DATA_TEAM_EMAIL"
RESTATEMENT_DROP_ENV = "MARMOT_RESTATEMENT_MAX_DROP"
PORTAL_PORT_ENV = "MARMOT_PORTAL_PORT"
PORTAL_SECURE_COOKIES_ENV = "MARMOT_PORTAL_SECURE_COOKIES"
PORTAL_MAX_UPLOAD_MB_ENV = "MARMOT_PORTAL_MAX_UPLOAD_MB"
DEFAULT_DATA_TEAM = "marmot-data-team@coventry.example"
CRASH_ENV = "MARMOT_CRASH_AT"  # a test seam, read by marmot.crash
DBT_FULL_BUILD_ENV = "MARMOT_DBT_FULL_BUILD"  # set by marmot.build.dbt for the models it runs in-process
GX_ANALYTICS_ENV = "GX_ANALYTICS_ENABLED"  # Great Expectations' own; marmot.validate.gx_runner turns it off


def landing_poll_seconds() -> float:
    """How often the triggerer looks at each landing folder (marmot.land.watch); default 5 s.

    A file is announced once it has stayed the same for one whole poll, so a drop starts its
    ingest 5-10 s after it lands; about 1 s where the kernel reports finished writes
    (marmot.land.watch)."""
    return _read(LANDING_POLL_ENV, "5", float)


def ingest_workers() -> int:
    """Datasets one ingest run loads at the same time (threads; default: the machine's cores, at most 4)."""
    return _workers(INGEST_WORKERS_ENV)


def reader_memory_mb() -> int:
    """Address space of each process that reads partners' files (``marmot.ingest.worker``), in MiB (default
    4096): a file that needs more is quarantined, the run goes on."""
    return _read(READER_MEMORY_ENV, "4096", int)


def ingest_memory_limit() -> str:
    """Memory each dataset being ingested may use, in DuckDB's words (default ``1GB``: a file at the contracts'
    default limits fits, see ``marmot.contracts.model.Limits``). Nothing spills to disk: a file that needs more
    is quarantined, so a run's DuckDB takes at most this times ``MARMOT_INGEST_WORKERS``."""
    return _read(INGEST_MEMORY_ENV, "1GB")


def site_workers() -> int:
    """Processes that render a publication's pages, the publishing one included (default: cores, at most 4)."""
    return _workers(SITE_WORKERS_ENV)


def settle_max_seconds() -> float:
    """How long build-validate-publish waits for partner files still in flight (default 300 s;
    marmot.orchestration.settle)."""
    return _read(SETTLE_ENV, "300", float)


def stage_server_idle_seconds() -> float:
    """How long a home's stage server (``marmot.orchestration.stage_server``) waits for the next build, validation
    or publication before it exits (default 1800 s); 0: no server, each stage imports its libraries afresh."""
    return _read(STAGE_SERVER_IDLE_ENV, "1800", float)


def stage_server_start_seconds() -> float:
    """How long a stage waits for a stage server it started to answer before running in its own process
    (default 60 s; it takes 5-7 s on 2 cores)."""
    return _read(STAGE_SERVER_START_ENV, "60", float)


def validate_group_rows() -> int:
    """Raw rows the quality gates read at a time (memory; default 500,000)."""
    return _read(GROUP_ROWS_ENV, "500000", int)


def keep_versions() -> int:
    """Published versions kept (default 5, at least 1; older ones are pruned)."""
    return max(1, _read(KEEP_VERSIONS_ENV, "5", int))


def keep_validations() -> int:
    """Validation runs kept under ``validation/`` (default 20, at least 1; each holds ~10 MB of Data Docs)."""
    return max(1, _read(KEEP_RUNS_ENV, "20", int))


def principles_severity() -> str:
    """Whether a principle without published values blocks publication: ``critical`` (default) or
    ``warning`` (while onboarding partners)."""
    severity = _read(PRINCIPLES_SEVERITY_ENV, "critical")
    if severity not in ("critical", "warning"):
        raise ValueError(f"{PRINCIPLES_SEVERITY_ENV} must be critical or warning, not {severity!r}")
    return severity


def data_team() -> str:
    """Who hears about failures and late extracts, with the partner's contact."""
    return _read(DATA_TEAM_ENV, DEFAULT_DATA_TEAM)


def restatement_max_drop() -> float:
    """The share of rows a restatement may lose against the batch it supersedes before its receipt
    warns and the data team is told (default 0.2: more than a fifth gone, as the platform's row-drop gate)."""
    share = _read(RESTATEMENT_DROP_ENV, "0.2", float)
    if not 0 <= share <= 1:
        raise ValueError(f"{RESTATEMENT_DROP_ENV} must be a share from 0 to 1 (1: never warn), not {share}")
    return share


def portal_port() -> int:
    """Port of ``marmot portal serve`` on 127.0.0.1 (``make up`` starts it beside Airflow)."""
    return _read(PORTAL_PORT_ENV, "8090", int)


def portal_secure_cookies() -> bool:
    """Whether the portal's cookies are ``Secure`` (sent over HTTPS only); ``0`` for http://127.0.0.1 while
    developing (``make up``)."""
    value = _read(PORTAL_SECURE_COOKIES_ENV, "1").strip().lower()
    if value not in ("0", "1", "true", "false", "yes", "no"):
        raise ValueError(f"{PORTAL_SECURE_COOKIES_ENV} must be 1 or 0, not {value!r}")
    return value in ("1", "true", "yes")


def portal_max_upload_mb() -> int:
    """The largest file the portal takes, in MB; a dataset's contract ``limits.max_uncompressed_mb`` lowers it."""
    return max(1, _read(PORTAL_MAX_UPLOAD_MB_ENV, "128", int))


def dbt_full_build() -> bool:
    """Whether the dbt build running in this process is a full one (its models' caches start empty)."""
    return os.environ.get(DBT_FULL_BUILD_ENV) == "1"


def crash_point() -> str | None:
    """The named point at which the process kills itself (tests only; marmot.crash)."""
    return os.environ.get(CRASH_ENV)


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

    @property
    def portal(self) -> Path:
        """The partner portal's accounts, sessions, uploads being checked and audit log (platform user only)."""
        return self.home / "portal"


def marmot_home() -> Path:
    """All state: ``MARMOT_HOME``, default ``./var``."""
    return Path(_read(HOME_ENV, "var")).resolve()


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
        from marmot.atomic import PRIVATE, private_dirs, write_text

        write_text(private_dirs(key_file.parent) / key_file.name, secrets.token_hex(32), PRIVATE)
    os.environ[PSEUDONYM_KEY_ENV] = key_file.read_text().strip()
    print(f"local pseudonym key: {key_file} (set {PSEUDONYM_KEY_ENV} to use your own)")
