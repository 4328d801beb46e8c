"""Freshness monitor: daily, compare every contract's expected periods with the ledger and
chase late or missing extracts (partner contact + data team, e-mail and webhook), once per
period: what was sent is remembered in ``$MARMOT_HOME/notifications/freshness.json``; and tell the
data team of restatements that lost most rows and an ingest could not notify (``restatements.json``).
Also daily: delete archived original files past their contract's retention (``marmot archive purge``).

A manual run may set ``as_of`` (YYYY-MM-DD) to check as of another day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, task

from marmot.monitor.notify import on_failure


@dag(
    dag_id="marmot_freshness",
    description="Chase late and missing partner extracts (once per period)",
    schedule="0 9 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["marmot", "freshness"],
    params={"as_of": Param(None, type=["null", "string"], format="date",
                           description="Check as of this day (default: the run's day)")},
    default_args={
        "owner": "Marmot platform data team",
        "retries": 3,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
        "on_failure_callback": on_failure(),
    },
)
def marmot_freshness():
    @task(multiple_outputs=False)  # one XCom, not one per key of the returned dict
    def chase(params=None, logical_date=None, dag_run=None) -> dict:
        from datetime import date, datetime

        from marmot.contracts import load_contracts
        from marmot.ingest import ledger
        from marmot.monitor import notify
        from marmot.settings import paths

        p = paths()
        as_of = (date.fromisoformat(params["as_of"]) if params and params.get("as_of")
                 else (logical_date or datetime.now(UTC)).date())
        entries = ledger.read_all(p.ledger)
        chased = notify.chase(p.home, list(load_contracts().values()), entries, as_of, context={"dag_run": dag_run})
        # restatements an ingest could not notify (a channel was down) are sent now
        return {**chased, "restatements": notify.restatements(p.home, entries, context={"dag_run": dag_run})}

    @task
    def purge_archive() -> int:
        """Delete archived original files past their contract's retention (marmot.ingest.retention); as of the
        day it runs, never a manual run's ``as_of``: a deletion cannot be undone."""
        from datetime import date

        from marmot.contracts import load_contracts
        from marmot.ingest.retention import purge_archive
        from marmot.settings import paths

        return len(purge_archive(paths(), load_contracts(), date.today()))

    chase()
    purge_archive()


marmot_freshness()
