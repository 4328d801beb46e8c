"""The generated ingest DAGs: schedule from the contract, a pull task for pulled transports,
a reschedule-mode wait for landed files, owners and retries on every task."""

from __future__ import annotations

import pytest

from marmot.contracts import load_contracts
from marmot.settings import DAGS_DIR

CONTRACTS = load_contracts()
PULLED = {"hospital__admissions": "sftp", "police__recorded_crime": "http_api",
          "icb__long_term_conditions": "object_storage"}


@pytest.fixture(scope="module")
def dags():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR / "marmot_ingest.py"))
    assert bag.import_errors == {}
    return {d.removeprefix("ingest__"): dag for d, dag in bag.dags.items()}


def test_pulled_transports_pull_before_waiting_and_ingesting(dags):
    assert {cid: c.transport["type"] for cid, c in CONTRACTS.items() if c.transport["type"] != "landing_folder"} == PULLED
    for cid, dag in dags.items():
        tasks = {t.task_id: t for t in dag.tasks}
        expected = ["pull", "wait_for_files", "ingest"] if cid in PULLED else ["wait_for_files", "ingest"]
        assert [t.task_id for t in dag.topological_sort()] == expected, cid
        sensor = tasks["wait_for_files"]
        assert (sensor.mode, sensor.soft_fail, sensor.trigger_rule) == ("reschedule", True, "none_failed")
        assert [o.name for o in tasks["ingest"].outlets] == [f"marmot_raw__{cid}"]
        for t in dag.tasks:
            assert t.owner == CONTRACTS[cid].owner and t.retries >= 1, (cid, t.task_id)
        assert f"transport:{CONTRACTS[cid].transport['type']}" in dag.tags


def test_schedule_is_a_daily_check_around_the_due_date(dags):
    assert CONTRACTS["dwp__claimant_count"].check_crons() == ["0 7 13-27 * *"]  # due 20 days after month end
    assert CONTRACTS["census__households_2021"].check_crons() == ["0 7 1-7 1 *", "0 7 24-31 12 *"]  # due 12-31
    quarterly = CONTRACTS["housing__homelessness_cases"].check_crons()  # due 45 days after each quarter
    assert quarterly == ["0 7 7-21 2,8,11 *", "0 7 8-22 5 *"]
    for cid, dag in dags.items():
        assert [t.expression for t in dag.timetable.timetables] == CONTRACTS[cid].check_crons(), cid
