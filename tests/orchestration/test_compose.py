"""docker-compose.yml describes the production topology with the settings the project uses:
the shared settings, the Celery settings, workers, worker command line and pools that
tests/orchestration/test_celery.py runs (all from marmot/settings.py and devtools/airflow_local.py)."""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath

import yaml

from devtools import CHECKOUT
from devtools.airflow_local import worker_args
from marmot.settings import (
    AIRFLOW_CELERY_SETTINGS,
    AIRFLOW_POOLS,
    AIRFLOW_SHARED_SETTINGS,
    CELERY_WORKERS,
    HOME_ENV,
    PROJECT_DIR_ENV,
    WORKER_NAME_ENV,
)

COMPOSE = yaml.safe_load((CHECKOUT / "docker-compose.yml").read_text())


def _airflow_services():
    return {n: s for n, s in COMPOSE["services"].items() if n.startswith("airflow-")}


def _workers():
    return {n: s for n, s in _airflow_services().items() if n.startswith("airflow-worker")}


def test_topology_has_every_component():
    assert {"postgres", "redis", "airflow-init", "airflow-api-server", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer"} <= set(COMPOSE["services"])


def test_one_worker_service_per_tested_worker_with_the_tested_command_line():
    workers = _workers()
    assert len(workers) == len(CELERY_WORKERS) == 2
    names = {svc["environment"][WORKER_NAME_ENV]: svc for svc in workers.values()}
    assert set(names) == set(CELERY_WORKERS)
    for name, svc in names.items():
        assert svc["command"] == ["airflow", *worker_args(name)], name


def test_every_airflow_service_uses_celery_postgres_redis_and_the_shared_settings():
    for name, svc in _airflow_services().items():
        env = svc["environment"]
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        for key, value in {**AIRFLOW_SHARED_SETTINGS, **AIRFLOW_CELERY_SETTINGS}.items():
            assert str(env.get(key)) == value, f"{name}: {key}={env.get(key)!r}, project uses {value!r}"


def test_init_creates_the_pools_the_tests_create():
    command = COMPOSE["services"]["airflow-init"]["command"]
    script = command[-1]
    assert "airflow db migrate" in script
    for name, (slots, description) in AIRFLOW_POOLS.items():
        assert f"airflow pools set {name} {slots} {shlex.quote(description)}" in script


def test_landing_home_and_logs_are_shared_volumes():
    for name, svc in _airflow_services().items():
        targets = {v.split(":")[1] for v in svc["volumes"]}
        assert {"/var/lib/marmot", "/var/lib/marmot/landing"} <= targets, name
        assert svc["environment"][HOME_ENV] == "/var/lib/marmot"
        # workers skip their log server: the logs must sit on a volume the api-server reads too
        assert svc["environment"]["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] in targets, name



def test_every_airflow_service_has_the_project_mounted_where_its_setting_says():
    """The package is installed in the image: the contracts, dbt project and expectations it reads (and the
    DAG files) come from the checkout's folders, mounted under MARMOT_PROJECT_DIR."""
    for name, svc in _airflow_services().items():
        project = PurePosixPath(svc["environment"][PROJECT_DIR_ENV])
        mounts = {PurePosixPath(v.split(":")[1]): v.split(":")[0] for v in svc["volumes"]}
        for part in ("ingestion", "dbt_project", "expectations", "dags"):
            assert mounts.get(project / part) == f"./{part}", f"{name}: ./{part} is not mounted at {project / part}"
        assert PurePosixPath(svc["environment"]["AIRFLOW__CORE__DAGS_FOLDER"]) == project / "dags", name

def test_secrets_come_from_the_environment_not_the_file():
    env = COMPOSE["x-airflow-common"]["environment"]
    assert env["MARMOT_PSEUDONYM_KEY"].startswith("${MARMOT_PSEUDONYM_KEY:?")
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${")
    for conn in ("AIRFLOW_CONN_MARMOT_SMTP", "AIRFLOW_CONN_MARMOT_WEBHOOK"):
        assert env[conn].startswith("${"), conn


def test_only_loopback_ports_are_published():
    for name, svc in COMPOSE["services"].items():
        for port in svc.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
