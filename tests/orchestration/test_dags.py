"""DAG validity: every DAG file imports cleanly, cheaply, and every DAG is properly owned."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from marmot.contracts import load_contracts
from marmot.settings import dags_dir

HEAVY = ("duckdb", "dbt", "great_expectations", "pandas", "pyarrow", "scipy")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(dags_dir()))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_one_ingest_dag_per_contract_and_the_publish_dag(dagbag):
    expected = {f"ingest__{c}" for c in load_contracts()} | {"marmot_build_validate_publish", "marmot_freshness"}
    assert set(dagbag.dag_ids) == expected


def test_every_dag_has_owner_tags_and_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"
            if task.task_id != "validate":  # a failed quality gate must not be retried
                assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_a_task_pushes_its_result_as_one_xcom(dagbag):
    """TaskFlow splits a task annotated ``-> dict`` into one XCom per key, each an API call of the
    task: 136 XCom writes for the 27 ingest runs of an increment."""
    for dag_id, dag in dagbag.dags.items():
        for task in dag.tasks:
            assert not getattr(task, "multiple_outputs", False), f"{dag_id}.{task.task_id} pushes one XCom per key"


def test_publish_dag_is_scheduled_by_the_ingest_assets(dagbag):
    publish = dagbag.dags["marmot_build_validate_publish"]
    scheduled_on = {a.name for a in publish.timetable.asset_condition.objects}
    produced = {o.name for d in dagbag.dags.values() for t in d.tasks for o in t.outlets
                if d.dag_id.startswith("ingest__")}
    assert produced and produced <= scheduled_on


def test_parsing_does_no_heavy_imports_and_is_fast(tmp_path):
    """Import every DAG file in a fresh interpreter: no warehouse/GX/dbt modules, no slow parse."""
    code = (
        "import json, runpy, sys, time, pathlib\n"
        "t = time.perf_counter()\n"
        f"for f in sorted(pathlib.Path({str(dags_dir())!r}).glob('*.py')): runpy.run_path(str(f))\n"
        f"print(json.dumps({{'seconds': time.perf_counter() - t, "
        f"'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"AIRFLOW_HOME": str(tmp_path), "PATH": ""})
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
