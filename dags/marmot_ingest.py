"""One ingest DAG per partner dataset, generated from the contracts in ingestion/contracts/.

Thin on purpose: parsing reads only the small contract YAML files; all work happens in
``marmot`` when a task runs. Each DAG checks daily around the dataset's due date
(``Contract.check_crons``): for pulled transports (sftp, http_api, object_storage) it first
pulls new remote files into the landing folder, then waits for landed files with a sensor in
reschedule mode (no worker slot held while waiting), then ingests and updates the dataset's
Asset, which schedules the build-validate-publish DAG. A manual run ingests at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import MultipleCronTriggerTimetable, chain, dag, task

from marmot.assets import raw_asset
from marmot.contracts import Contract, load_contracts

TIMEZONE = "Europe/London"


def _schedule(contract: Contract):
    crons = contract.check_crons()
    return MultipleCronTriggerTimetable(*crons, timezone=TIMEZONE)


def ingest_dag(contract: Contract):
    pulled = contract.transport["type"] != "landing_folder"

    @dag(
        dag_id=f"ingest__{contract.id}",
        description=f"Ingest {contract.title} from {contract.partner_name}",
        schedule=_schedule(contract),
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        tags=["marmot", "ingest", f"partner:{contract.partner}", f"transport:{contract.transport['type']}",
              *contract.principles],
        default_args={
            "owner": contract.owner,
            "retries": 2,
            "retry_delay": timedelta(seconds=30),
            "retry_exponential_backoff": True,
        },
        doc_md=f"**{contract.title}** ({contract.partner_name}).\n\n{contract.description}\n\n"
               f"Contract: `ingestion/contracts/{contract.id}.yml`; contact: {contract.contact}; "
               f"transport: {contract.transport['type']}; checks: `{'`, `'.join(contract.check_crons())}` "
               f"({TIMEZONE}).",
    )
    def _ingest():
        @task(retries=3, retry_delay=timedelta(minutes=5))
        def pull() -> dict:
            """Fetch new remote files; skipped (visibly) when the connection is not configured here."""
            from airflow.sdk.exceptions import AirflowSkipException

            from marmot import transports
            from marmot.settings import paths
            from marmot.transports.base import ConnectionMissing

            try:
                landed = transports.pull(paths(), contract)
            except ConnectionMissing as exc:
                raise AirflowSkipException(str(exc)) from None
            return {"pulled": [p.name for p in landed]}

        @task.sensor(mode="reschedule", poke_interval=30 * 60, timeout=12 * 3600, soft_fail=True,
                     trigger_rule="none_failed")
        def wait_for_files() -> bool:
            """True when files wait in landing/<partner>/<dataset>/ (a manual run does not wait)."""
            from airflow.sdk import get_current_context

            from marmot.claims import waiting_files
            from marmot.settings import paths

            manual = str(get_current_context()["dag_run"].run_type).endswith("manual")
            return manual or bool(waiting_files(paths().landing, contract.partner, contract.dataset))

        @task(outlets=[raw_asset(contract)])
        def ingest() -> dict:
            from marmot import pipeline
            from marmot.settings import paths

            summary = pipeline.ingest(paths(), contract.partner, contract.dataset)
            summary.pop("batches")  # receipts and the ledger hold the details; keep XCom small
            return summary

        chain(*([pull()] if pulled else []), wait_for_files(), ingest())

    return _ingest()


for _contract in load_contracts().values():
    globals()[f"ingest__{_contract.id}"] = ingest_dag(_contract)
