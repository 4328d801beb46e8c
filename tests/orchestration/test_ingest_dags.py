"""The generated ingest DAGs: folder drops scheduled by their landing folder's watcher, pulled
transports by a daily check around the due date with a pull task first, owners and retries on
every task; pulled DAGs take a ``period`` and their backfill runs pull the period due at their date."""

from __future__ import annotations

from datetime import UTC

import pytest

from marmot.contracts import load_contracts
from marmot.settings import dags_dir

CONTRACTS = load_contracts()
PULLED = {"hospital__admissions": "sftp", "police__recorded_crime": "http_api",
          "icb__long_term_conditions": "object_storage", "ohid__fingertips": "fingertips_api"}
BY_PERIOD = set(PULLED) - {"ohid__fingertips"}  # one Fingertips file holds every period: nothing to ask for


@pytest.fixture(scope="module")
def dags():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_dir() / "marmot_ingest.py"))
    assert bag.import_errors == {}
    return {d.removeprefix("ingest__"): dag for d, dag in bag.dags.items()}


def test_pulled_transports_pull_before_ingesting(dags):
    assert {cid: c.transport.type for cid, c in CONTRACTS.items() if c.transport.type != "landing_folder"} == PULLED
    for cid, dag in dags.items():
        tasks = {t.task_id: t for t in dag.tasks}
        expected = ["pull", "ingest"] if cid in PULLED else ["ingest"]
        assert [t.task_id for t in dag.topological_sort()] == expected, cid
        assert tasks["ingest"].trigger_rule == "none_failed"  # a skipped pull still ingests what waits
        assert [o.name for o in tasks["ingest"].outlets] == [f"marmot_raw__{cid}"]
        for t in dag.tasks:
            assert t.owner == CONTRACTS[cid].owner and t.retries >= 1, (cid, t.task_id)
        assert f"transport:{CONTRACTS[cid].transport.type}" in dag.tags


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
        assert classpath == "marmot.land.watch.LandingFilesTrigger"
        assert (kwargs["landing"], kwargs["partner"], kwargs["dataset"]) == (str(paths().landing), c.partner, c.dataset)


def test_pulled_dags_ask_for_a_period_and_folder_drops_and_fingertips_do_not(dags):
    import copy

    from airflow.sdk import Param
    from airflow.sdk.exceptions import ParamValidationError

    for cid, dag in dags.items():
        if cid not in BY_PERIOD:
            assert "period" not in dag.params, cid  # folder drops have nothing to fetch, Fingertips no period
            continue
        param = dag.params.get_param("period")
        assert isinstance(param, Param) and param.value is None, cid  # empty: fetch whatever is new
        assert "backfill" in param.description and param.schema["type"] == ["null", "string"], cid
        example = {"month": "2025-04", "quarter": "2025-Q1"}[CONTRACTS[cid].schedule.period_type]
        assert example in param.description, cid
        assert copy.copy(param).resolve(example) == example  # the trigger form accepts the contract's form...
        with pytest.raises(ParamValidationError, match="does not match"):
            copy.copy(param).resolve("April 2025")  # ...and refuses others


def test_a_backfill_over_a_year_pulls_every_period_due_in_it(dags):
    """The runs ``airflow backfill create`` makes (the DAG's own schedule between the dates), each
    with the period it pulls: every month (or quarter) due in the range, and the one due just before
    it (its runs before the next due date ask for it), nothing else."""
    from datetime import datetime

    from airflow.serialization.serialized_objects import DagSerialization

    from marmot.land.transports import period_for_run

    months = ["2024-12", *(f"2025-{m:02d}" for m in range(1, 12))]  # Dec 2025 is due in Jan 2026
    expected = {"police__recorded_crime": months, "hospital__admissions": months,
                "icb__long_term_conditions": ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]}
    for cid, periods in expected.items():
        serialized = DagSerialization.from_dict(DagSerialization.to_dict(dags[cid]))
        infos = list(serialized.iter_dagrun_infos_between(datetime(2025, 2, 1, tzinfo=UTC),
                                                          datetime(2025, 12, 31, tzinfo=UTC)))
        pulled = [period_for_run(CONTRACTS[cid], requested=None, run_type="backfill",
                                 run_date=i.data_interval.end) for i in infos]
        assert sorted(set(pulled)) == periods, cid


def test_the_pull_task_of_a_backfill_run_pulls_the_period_due_at_its_date(dags, home, monkeypatch):
    """The DAG's own ``pull`` callable with a backfill run's context, against the test HTTP API."""
    import re
    import types
    from datetime import datetime

    import airflow.sdk
    from airflow.sdk.exceptions import AirflowFailException
    from ingest.data import crime
    from land.servers import PagedApi
    from land.test_transports import TOKEN, _api_conn

    def context(run_type, period=None, when=datetime(2025, 6, 26, 6, 0, tzinfo=UTC)):
        run = types.SimpleNamespace(run_type=run_type, data_interval_end=when, logical_date=when)
        monkeypatch.setattr(airflow.sdk, "get_current_context", lambda: {"dag_run": run, "params": {"period": period}})

    pull = dags["police__recorded_crime"].get_task("pull").python_callable
    api = PagedApi(TOKEN, [[crime(1, "2025-06")]], ndjson=True,
                   periods={"2025-05": [[crime(i, "2025-05") for i in range(3)]], "2024-02": [[crime(1, "2024-02")]]})
    with api.serve() as port:
        _api_conn(monkeypatch, port)
        context("backfill")  # 26 June: May was due on 25 June
        result = pull()
        assert result["period"] == "2025-05" and [n.split("_")[2] for n in result["pulled"]] == ["2025-05"]
        context("manual", period="2024-02")
        assert pull()["period"] == "2024-02"
        context("scheduled")  # no period: whatever is new, as before
        [new] = pull()["pulled"]
        assert re.fullmatch(r"recorded_crime_[0-9a-f]{12}\.ndjson", new)
        context("manual", period="2024-2")
        with pytest.raises(AirflowFailException, match="write it as YYYY-MM"):  # no retries for a wrong period
            pull()
    assert api.asked == ["2025-05"] * 2 + ["2024-02"] * 2 + [None] * 2  # records, then the empty last page
