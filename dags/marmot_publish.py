"""Build, validate and publish, whenever any partner dataset receives new data.

Write-audit-publish: ``build`` writes the warehouse, ``validate`` runs the quality gates and
fails the run (without retry) when a critical expectation fails, ``publish`` only runs after
a passing validation and updates the published Asset.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import AssetAny, dag, task

from marmot.assets import PUBLISHED, raw_asset
from marmot.contracts import load_contracts


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
    },
)
def marmot_build_validate_publish():
    @task
    def build() -> dict:
        from marmot import pipeline
        from marmot.settings import paths

        return pipeline.build(paths())

    @task(retries=0)
    def validate(_build: dict) -> dict:
        from airflow.exceptions import AirflowFailException

        from marmot import pipeline
        from marmot.settings import paths

        try:
            return pipeline.validate(paths())
        except pipeline.GateFailed as exc:
            raise AirflowFailException(str(exc)) from exc

    @task(outlets=[PUBLISHED])
    def publish(validation: dict) -> dict:
        from marmot import pipeline
        from marmot.settings import paths

        return pipeline.publish(paths(), validation)

    publish(validate(build()))


marmot_build_validate_publish()
