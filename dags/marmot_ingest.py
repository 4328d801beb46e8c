"""One ingest DAG per partner dataset, generated from the contracts in ingestion/contracts/.

Thin on purpose: parsing reads only the small contract YAML files; all work happens in
``marmot`` when a task runs. Scheduling follows the data, not the clock:

- **folder drops** (``landing_folder``): the triggerer watches ``landing/<partner>/<dataset>/``
  (``marmot.land.watch``) and a settled new file updates the dataset's landing Asset, which
  starts this DAG;
- **pulled transports** (sftp, http_api, object_storage, fingertips_api): nothing can announce a remote file, so
  the DAG checks daily around the dataset's due date (``Contract.check_crons``), pulls new remote
  files into the landing folder and ingests them.

Historical periods (pulled datasets only): "Trigger DAG w/ config" asks for ``period`` (e.g.
``2025-04``; empty = whatever is new) and the run pulls exactly that period; a backfill
(``airflow backfill create --dag-id ingest__<contract> --from-date ... --to-date ...``) pulls, in
each run, the period that was due at the run's date (``marmot.land.transports.period_for_run``). The
contract's transport says how a period is asked for (``ingestion/contracts/README.md``).
Folder-drop DAGs have no ``period``: their files arrive by themselves; nor has the Fingertips pull, whose
one file holds every period.

``ingest`` updates the dataset's raw Asset, which schedules the build-validate-publish DAG; when
no file waits (another run took them, or a pull found nothing new) it is skipped, so no Asset
event and no needless publication. A manual run ingests whatever waits at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import MultipleCronTriggerTimetable, Param, chain, dag, task

from marmot.contracts import PERIOD_SETTINGS, PERIOD_TYPES, Contract, load_contracts
from marmot.monitor.notify import on_failure
from marmot.orchestration.assets import landing_asset, raw_asset

TIMEZONE = "Europe/London"


def _schedule(contract: Contract):
    if contract.transport.type == "landing_folder":
        return [landing_asset(contract)]
    return MultipleCronTriggerTimetable(*contract.check_crons(), timezone=TIMEZONE)


def _params(contract: Contract) -> dict:
    """The ``period`` a manual run of a pulled dataset may ask for (the trigger form shows it)."""
    regex, form, example = PERIOD_TYPES[contract.schedule.period_type]
    return {"period": Param(
        None, type=["null", "string"], pattern=regex, title="Period",
        description=f"Pull only this {contract.schedule.period_type.replace('_', ' ')}, written {form} "
                    f"(e.g. {example}). Leave empty to pull whatever is new; a backfill run pulls the "
                    "period that was due at its date.")}


def ingest_dag(contract: Contract):
    pulled = contract.transport.type != "landing_folder"

    @dag(
        dag_id=f"ingest__{contract.id}",
        description=f"Ingest {contract.title} from {contract.partner_name}",
        schedule=_schedule(contract),
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        # a period only where the transport can ask for one (a Fingertips pull is one file of every period)
        params=_params(contract) if contract.transport.type in PERIOD_SETTINGS else None,
        tags=["marmot", "ingest", f"partner:{contract.partner}", f"transport:{contract.transport.type}",
              *contract.principles],
        default_args={
            "owner": contract.owner,
            "retries": 2,
            "retry_delay": timedelta(seconds=30),
            "retry_exponential_backoff": True,
            "on_failure_callback": on_failure(),  # tell the data team (marmot.monitor.notify)
        },
        doc_md=f"**{contract.title}** ({contract.partner_name}).\n\n{contract.description}\n\n"
               f"Contract: `ingestion/contracts/{contract.id}.yml`; contact: {contract.contact}; "
               f"transport: {contract.transport.type}; " + (
                   "starts when a file settles in its landing folder." if not pulled else
                   f"pulls at `{'`, `'.join(contract.check_crons())}` ({TIMEZONE}); a manual run with "
                   "`period` or a backfill run pulls one historical period."),
    )
    def _ingest():
        # multiple_outputs=False: one XCom per task, not one per key of the returned dict (each is an API call)
        @task(retries=3, retry_delay=timedelta(minutes=5), multiple_outputs=False)
        def pull() -> dict:
            """Fetch new remote files, or one period's (the ``period`` param, or a backfill run's due
            period); skipped (visibly) when the connection is not configured here."""
            from airflow.sdk import get_current_context
            from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

            from marmot.contracts import PeriodError
            from marmot.land import transports
            from marmot.land.transports.base import ConnectionMissing
            from marmot.settings import paths

            ctx = get_current_context()
            run = ctx["dag_run"]
            try:
                period = transports.period_for_run(
                    contract, requested=ctx["params"].get("period"), run_type=run.run_type,
                    run_date=run.data_interval_end or run.logical_date)
                landed = transports.pull(paths(), contract, period=period)
            except PeriodError as exc:  # a wrong period or a contract that cannot ask for one: no retry helps
                raise AirflowFailException(str(exc)) from None
            except ConnectionMissing as exc:
                raise AirflowSkipException(str(exc)) from None
            return {"period": period, "pulled": [p.name for p in landed]}

        # ingest what waits even if pull was skipped
        @task(outlets=[raw_asset(contract)], trigger_rule="none_failed", multiple_outputs=False)
        def ingest() -> dict:
            from airflow.sdk.exceptions import AirflowSkipException

            from marmot.orchestration import pipeline
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
