"""The three DAGs ``python -m devtools bench --dbt-in-airflow`` compares, each running the same dbt project:

- ``single``: one task that runs ``dbt build`` in-process, the body of the platform's ``build``
  task (dags/marmot_publish.py -> marmot.orchestration.pipeline.build -> marmot.build.dbt.build);
- ``cosmos``: astronomer-cosmos ``ExecutionMode.LOCAL``, one Airflow task per model and seed
  (plus one per model's tests), each its own dbt invocation;
- ``watcher``: cosmos ``ExecutionMode.WATCHER``, one producer task running ``dbt build`` and one
  deferrable sensor per node reporting what the producer did.

Every dbt task writes ``warehouse/build.duckdb``, which DuckDB lets only one process open at a
time (STACK.md), so they take the one-slot ``warehouse`` pool as the production build does; the
watcher's sensors never open the warehouse and stay in the default pool. Cosmos variants start
with a ``prepare`` task (marmot.build.dbt.prepare: schema files and ledger snapshot), which the single
build does inside its task. Retries are off: a retry would hide a failure inside the timing.

The DAG files are generated into a temporary folder (devtools.bench.dbt_in_airflow), never dags/.
Imports of Airflow, cosmos and marmot's build stay inside functions so that importing this module
is cheap.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

VARIANTS = ("single", "watcher", "cosmos")
DAG_PREFIX = "bench_dbt_"
OWNER = "Marmot platform data team"
PROFILE, TARGET = "marmot", "local"  # dbt_project/profiles.yml


def dag_id(variant: str) -> str:
    return DAG_PREFIX + variant


def dag_file(variant: str, project: Path, select: list[str]) -> str:
    """Source of the DAG file of one variant (mentions "airflow" and "dag" so the processor reads it)."""
    return (
        f'"""Airflow DAG written by `python -m devtools bench --dbt-in-airflow` ({variant}); '
        'see devtools/bench/dbt_dags.py."""\n'
        "from devtools.bench.dbt_dags import make_dag\n\n"
        f"dag = make_dag({variant!r}, project={str(project)!r}, select={list(select)!r})\n"
    )


def make_dag(variant: str, *, project: str | Path, select: list[str] | None = None):
    """The DAG of ``variant``; cosmos variants read the dbt project at ``project``, parsed (its ``target/``
    holds ``manifest.json`` and ``partial_parse.msgpack``: devtools.bench.dbt_in_airflow.parsed_project)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (one of {', '.join(VARIANTS)})")
    from airflow.sdk import DAG

    with DAG(
        dag_id=dag_id(variant),
        description=f"python -m devtools bench --dbt-in-airflow: {variant}",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        tags=["marmot", "bench"],
        default_args={"owner": OWNER, "retries": 0},
    ) as dag:
        if variant == "single":
            _single_build(select or [])
        else:
            _prepare() >> _cosmos_group(variant, Path(project), select or [])
    return dag


def _single_build(select: list[str]):
    from airflow.sdk import task

    @task(pool="warehouse")
    def build() -> dict:
        from marmot.build.dbt import build as dbt_build
        from marmot.settings import paths

        return dbt_build(paths(), select or None)

    return build()


def _prepare():
    from airflow.sdk import task

    @task(pool="warehouse")
    def prepare() -> None:
        from marmot.build.dbt import prepare as prepare_build
        from marmot.settings import paths

        prepare_build(paths())

    return prepare()


def _cosmos_group(variant: str, project: Path, select: list[str]):
    """A DbtTaskGroup over the project's manifest (``LoadMode.DBT_MANIFEST``: no dbt call at parse time).

    Per-model Airflow assets are off (``emit_datasets``): the platform schedules on its own assets.
    """
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, LoadMode

    watcher = variant == "watcher"
    return DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(dbt_project_path=project, manifest_path=project / "target" / "manifest.json"),
        # the profile reads MARMOT_HOME, which every Airflow process has (devtools.airflow_local)
        profile_config=ProfileConfig(profile_name=PROFILE, target_name=TARGET,
                                     profiles_yml_filepath=project / "profiles.yml"),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, select=select, emit_datasets=False),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER if watcher else ExecutionMode.LOCAL,
            setup_operator_args={"pool": "warehouse"} if watcher else None,  # the producer only
        ),
        operator_args={} if watcher else {"pool": "warehouse"},
    )
