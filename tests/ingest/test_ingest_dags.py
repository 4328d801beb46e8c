"""The generated ingest DAGs: folder drops scheduled by their landing folder's watcher, pulled
transports by a daily check around the due date with a pull task first, owners and retries on
every task."""

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


def test_pulled_transports_pull_before_ingesting(dags):
    assert {cid: c.transport["type"] for cid, c in CONTRACTS.items() if c.transport["type"] != "landing_folder"} == PULLED
    for cid, dag in dags.items():
        tasks = {t.task_id: t for t in dag.tasks}
        expected = ["pull", "ingest"] if cid in PULLED else ["ingest"]
        assert [t.task_id for t in dag.topological_sort()] == expected, cid
        assert tasks["ingest"].trigger_rule == "none_failed"  # a skipped pull still ingests what waits
        assert [o.name for o in tasks["ingest"].outlets] == [f"marmot_raw__{cid}"]
        for t in dag.tasks:
            assert t.owner == CONTRACTS[cid].owner and t.retries >= 1, (cid, t.task_id)
        assert f"transport:{CONTRACTS[cid].transport['type']}" in dag.tags


def test_pulled_datasets_are_checked_daily_around_the_due_date(dags):
    assert CONTRACTS["dwp__claimant_count"].check_crons() == ["0 7 13-27 * *"]  # due 20 days after month end
    assert CONTRACTS["census__households_2021"].check_crons() == ["0 7 1-7 1 *", "0 7 24-31 12 *"]  # due 12-31
    quarterly = CONTRACTS["housing__homelessness_cases"].check_crons()  # due 45 days after each quarter
    assert quarterly == ["0 7 7-21 2,8,11 *", "0 7 8-22 5 *"]
    for cid in PULLED:
        assert [t.expression for t in dags[cid].timetable.timetables] == CONTRACTS[cid].check_crons(), cid


def test_folder_drops_are_scheduled_by_a_watcher_on_their_own_landing_folder(dags):
    from marmot.settings import paths

    for cid, dag in dags.items():
        if cid in PULLED:
            continue
        c = CONTRACTS[cid]
        [asset] = dag.timetable.asset_condition.objects
        assert asset.name == f"marmot_landing__{cid}"
        [watcher] = asset.watchers
        classpath, kwargs = watcher.trigger.serialize()
        assert classpath == "marmot.landing_watch.LandingFilesTrigger"
        assert (kwargs["landing"], kwargs["partner"], kwargs["dataset"]) == (str(paths().landing), c.partner, c.dataset)
