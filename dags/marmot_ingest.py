"""One ingest DAG per partner dataset, generated from the contracts in ingestion/contracts/.

Thin on purpose: parsing reads only the small contract YAML files; all work happens in
``marmot.pipeline`` when a task runs. Each DAG updates its dataset's Asset, which schedules
the build-validate-publish DAG.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from marmot.assets import raw_asset
from marmot.contracts import Contract, load_contracts


def ingest_dag(contract: Contract):
    @dag(
        dag_id=f"ingest__{contract.id}",
        description=f"Ingest {contract.title} from {contract.partner_name}",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        tags=["marmot", "ingest", f"partner:{contract.partner}", *contract.principles],
        default_args={
            "owner": contract.owner,
            "retries": 2,
            "retry_delay": timedelta(seconds=30),
            "retry_exponential_backoff": True,
        },
        doc_md=f"**{contract.title}** ({contract.partner_name}).\n\n{contract.description}\n\n"
               f"Contract: `ingestion/contracts/{contract.id}.yml`; contact: {contract.contact}.",
    )
    def _ingest():
        @task(outlets=[raw_asset(contract)])
        def ingest() -> dict:
            from marmot import pipeline
            from marmot.settings import paths

            summary = pipeline.ingest(paths(), contract.partner, contract.dataset)
            summary.pop("batches")  # receipts and the ledger hold the details; keep XCom small
            return summary

        ingest()

    return _ingest()


for _contract in load_contracts().values():
    globals()[f"ingest__{_contract.id}"] = ingest_dag(_contract)
