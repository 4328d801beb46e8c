"""Build, validate and publish, whenever any partner dataset receives new data.

A burst of files (a monthly increment from many partners) makes one publication, not one per
finished ingest (``marmot.orchestration.settle``): ``settle`` waits (deferred, in the triggerer) until no
partner file waits in landing or is being ingested, and ``build`` skips a run scheduled by Asset events whose batches an
earlier run already built (a manual run always builds).

Write-audit-publish: ``build`` writes the warehouse, ``validate`` runs the quality gates and
fails the run (without retry, ``AirflowFailException`` whose message names the report file
``validation/<run>/report.txt``) when a critical expectation fails, ``publish`` only runs after
a passing validation, publishes exactly the candidate it audited and updates the published Asset.

Each of the three runs in a child process of its task (``marmot.orchestration.stage_process``): dbt took 1.3
times as long inside the Airflow task process itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import AssetAny, dag, task

from marmot.contracts import load_contracts
from marmot.monitor.notify import on_failure
from marmot.orchestration.assets import PUBLISHED, raw_asset
from marmot.orchestration.settle import Settle


@dag(
    dag_id="marmot_build_validate_publish",
    description="dbt build, Great Expectations gates, then publish a new version",
    schedule=AssetAny(*(raw_asset(c) for c in load_contracts().values())),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["marmot", "transform", "publish"],
    default_args={
        "owner": "Marmot platform data team",
        "retries": 1,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "pool": "warehouse",  # one writer of build.duckdb and published/ (marmot.settings.AIRFLOW_POOLS)
        "on_failure_callback": on_failure(),  # tell the data team (marmot.monitor.notify)
    },
)
def marmot_build_validate_publish():
    # waits in the triggerer, not in a worker slot; it writes nothing, so it needs no warehouse slot
    settle = Settle(task_id="settle", pool="default_pool")

    # multiple_outputs=False: one XCom per task, not one per key of the returned dict (each is an API call)
    @task(multiple_outputs=False)
    def build(_waited: float) -> dict:
        from airflow.sdk import get_current_context
        from airflow.sdk.exceptions import AirflowSkipException

        from marmot.build.fingerprint import already_built
        from marmot.orchestration import stage_process
        from marmot.settings import paths

        if get_current_context()["dag_run"].run_type == "asset_triggered" and already_built(paths()):
            raise AirflowSkipException("nothing new: an earlier run already built every batch in the ledger")
        return stage_process.run("build", paths())

    @task(retries=0, multiple_outputs=False)
    def validate(_build: dict) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from marmot.orchestration import pipeline, stage_process
        from marmot.settings import paths

        try:
            return stage_process.run("validate", paths())
        except pipeline.GateFailed as exc:
            raise AirflowFailException(str(exc)) from exc

    # a gate failure raises AirflowFailException, which is never retried
    @task(outlets=[PUBLISHED], multiple_outputs=False)
    def publish(validation: dict) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from marmot.orchestration import pipeline, stage_process
        from marmot.settings import paths

        try:
            return stage_process.run("publish", paths(), validation)
        except pipeline.GateFailed as exc:
            raise AirflowFailException(str(exc)) from exc

    publish(validate(build(settle.output)))


marmot_build_validate_publish()
