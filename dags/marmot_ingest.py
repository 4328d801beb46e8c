"""One ingest DAG per partner dataset, generated from the contracts in ingestion/contracts/.

Thin on purpose: parsing reads only the small contract YAML files; all work happens in
``marmot`` when a task runs. Scheduling follows the data, not the clock:

- **folder drops** (``landing_folder``): the triggerer watches ``landing/<partner>/<dataset>/``
  (``marmot.landing_watch``) and a settled new file updates the dataset's landing Asset, which
  starts this DAG;
- **pulled transports** (sftp, http_api, object_storage): nothing can announce a remote file, so
  the DAG checks daily around the dataset's due date (``Contract.check_crons``), pulls new remote
  files into the landing folder and ingests them.

``ingest`` updates the dataset's raw Asset, which schedules the build-validate-publish DAG; when
no file waits (another run took them, or a pull found nothing new) it is skipped, so no Asset
event and no needless publication. A manual run ingests whatever waits at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import MultipleCronTriggerTimetable, chain, dag, task

from marmot.assets import landing_asset, raw_asset
from marmot.contracts import Contract, load_contracts
from marmot.notify import on_failure

TIMEZONE = "Europe/London"


def _schedule(contract: Contract):
    if contract.transport["type"] == "landing_folder":
        return [landing_asset(contract)]
    return MultipleCronTriggerTimetable(*contract.check_crons(), timezone=TIMEZONE)


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
            "on_failure_callback": on_failure(),  # tell the data team (marmot.notify)
        },
        doc_md=f"**{contract.title}** ({contract.partner_name}).\n\n{contract.description}\n\n"
               f"Contract: `ingestion/contracts/{contract.id}.yml`; contact: {contract.contact}; "
               f"transport: {contract.transport['type']}; " + (
                   "starts when a file settles in its landing folder." if not pulled else
                   f"pulls at `{'`, `'.join(contract.check_crons())}` ({TIMEZONE})."),
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

        @task(outlets=[raw_asset(contract)], trigger_rule="none_failed")  # ingest what waits even if pull was skipped
        def ingest() -> dict:
            from airflow.sdk.exceptions import AirflowSkipException

            from marmot import pipeline
            from marmot.settings import paths

            summary = pipeline.ingest(paths(), contract.partner, contract.dataset)
            if not summary["files"]:  # nothing waited (or another run claimed it): no Asset event
                raise AirflowSkipException(f"no file waits in landing/{contract.partner}/{contract.dataset}/")
            summary.pop("batches")  # receipts and the ledger hold the details; keep XCom small
            return summary

        chain(*([pull()] if pulled else []), ingest())

    return _ingest()


for _contract in load_contracts().values():
    globals()[f"ingest__{_contract.id}"] = ingest_dag(_contract)
