"""The DAGs `python -m devtools bench --dbt-in-airflow` generates import cleanly and have the intended shape
(on a one-model selection; no scheduler, no timing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.bench.dbt_dags import VARIANTS, dag_file, dag_id
from devtools.bench.dbt_in_airflow import cosmos_settings, parsed_project
from marmot.settings import Paths

pytest.importorskip("cosmos", reason="the bench extra (astronomer-cosmos) is not installed")

MODEL = "stg_platform__ledger"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The parsed copy of dbt_project/ the cosmos DAGs read (``dbt parse``, about 10 s)."""
    tmp = tmp_path_factory.mktemp("bench_dbt")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MARMOT_HOME", str(tmp / "home"))
        return parsed_project(Paths(tmp / "home"), tmp / "dbt_project")


@pytest.fixture(scope="module")
def dagbag(project, tmp_path_factory):
    from airflow.dag_processing.dagbag import DagBag

    dags = tmp_path_factory.mktemp("bench_dags")
    for variant in VARIANTS:
        (dags / f"{dag_id(variant)}.py").write_text(dag_file(variant, project, [MODEL]))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in cosmos_settings(dags.parent / "cosmos-cache").items():
            mp.setenv(key, value)
        return DagBag(dag_folder=str(dags))


def test_parsed_project_ships_manifest_and_partial_parse(project):
    assert (project / "target" / "manifest.json").exists()
    assert (project / "target" / "partial_parse.msgpack").exists()


def test_every_variant_imports(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {dag_id(v) for v in VARIANTS}


def test_single_build_is_one_task_in_the_warehouse_pool(dagbag):
    [build] = dagbag.dags[dag_id("single")].tasks
    assert build.task_id == "build" and build.pool == "warehouse"


def test_cosmos_runs_one_task_per_model_and_its_tests_after_prepare(dagbag):
    tasks = dagbag.dags[dag_id("cosmos")].task_dict
    run, test = tasks[f"dbt.{MODEL}.run"], tasks[f"dbt.{MODEL}.test"]
    assert set(tasks) == {"prepare", run.task_id, test.task_id}
    assert type(run).__name__ == "DbtRunLocalOperator" and type(test).__name__ == "DbtTestLocalOperator"
    assert tasks["prepare"].downstream_task_ids == {run.task_id} and run.downstream_task_ids == {test.task_id}
    assert {t.pool for t in tasks.values()} == {"warehouse"}  # DuckDB: one writer at a time


def test_watcher_has_one_producer_in_the_warehouse_pool_and_deferrable_sensors(dagbag):
    tasks = dagbag.dags[dag_id("watcher")].task_dict
    producer = tasks["dbt.dbt_producer_watcher"]
    assert type(producer).__name__ == "DbtProducerWatcherOperator" and producer.pool == "warehouse"
    assert producer.task_id in tasks["prepare"].downstream_task_ids
    sensors = [t for t in tasks.values() if type(t).__name__ in ("DbtRunWatcherOperator", "DbtTestWatcherOperator")]
    assert {t.task_id for t in sensors} == {f"dbt.{MODEL}.run", f"dbt.{MODEL}.test"}
    assert all(t.deferrable and t.pool == "default_pool" for t in sensors)


def test_no_variant_retries_and_cosmos_telemetry_is_off(dagbag, tmp_path):
    assert all(t.retries == 0 for d in dagbag.dags.values() for t in d.tasks)  # a retry would hide in the timing
    assert cosmos_settings(tmp_path)["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
