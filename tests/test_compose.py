"""docker-compose.yml describes the production topology with the settings the project uses."""

from __future__ import annotations

import yaml

from marmot.settings import AIRFLOW_SHARED_SETTINGS, REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def _airflow_services():
    return {n: s for n, s in COMPOSE["services"].items() if n.startswith("airflow-")}


def test_topology_has_every_component():
    assert {"postgres", "redis", "airflow-init", "airflow-api-server", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer", "airflow-worker"} <= set(COMPOSE["services"])


def test_every_airflow_service_uses_celery_postgres_redis_and_the_shared_settings():
    for name, svc in _airflow_services().items():
        env = svc["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        for key, value in AIRFLOW_SHARED_SETTINGS.items():
            assert str(env.get(key)) == value, f"{name}: {key}={env.get(key)!r}, project uses {value!r}"


def test_landing_and_platform_home_are_shared_volumes():
    for name, svc in _airflow_services().items():
        targets = {v.split(":")[1] for v in svc["volumes"]}
        assert {"/var/lib/marmot", "/var/lib/marmot/landing"} <= targets, name
        assert svc["environment"]["MARMOT_HOME"] == "/var/lib/marmot"


def test_secrets_come_from_the_environment_not_the_file():
    env = COMPOSE["x-airflow-common"]["environment"]
    assert env["MARMOT_PSEUDONYM_KEY"].startswith("${MARMOT_PSEUDONYM_KEY:?")
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${")


def test_only_loopback_ports_are_published():
    for name, svc in COMPOSE["services"].items():
        for port in svc.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
