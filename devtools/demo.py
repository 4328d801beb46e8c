"""`make demo`: synthetic data landed as partners would, the whole pipeline run through a real
Airflow scheduler on 127.0.0.1, then where to look."""

from __future__ import annotations

import shutil
import time

from devtools import airflow_local
from devtools.synthetic import generate
from marmot.contracts import load_contracts
from marmot.land.drop import copy_into_landing
from marmot.settings import Paths, ensure_local_pseudonym_key

PUBLISH_DAG = "marmot_build_validate_publish"


def run(paths: Paths, *, years: int = 5, scale: float = 0.5, port: int = 8080) -> int:
    started = time.perf_counter()
    ensure_local_pseudonym_key(paths)
    out = paths.generated
    shutil.rmtree(out, ignore_errors=True)
    files = generate(out, years=years, scale=scale)
    print(f"1/4 generated {len(files)} synthetic partner files ({years} years, {scale:g} x Coventry) in {out}")
    landed = copy_into_landing(out, paths.landing)
    print(f"2/4 landed {len(landed)} files in {paths.landing}")
    print(f"3/4 starting Airflow on 127.0.0.1:{port} (api-server, scheduler, dag-processor, triggerer)...")
    airflow_local.start(paths, port=port, tie_to_parent=True)
    try:
        client = airflow_local.Client(port)
        contracts = load_contracts().values()
        ingest_dags = [f"ingest__{c.id}" for c in contracts]
        for dag_id in [*ingest_dags, PUBLISH_DAG]:
            client.wait_dag(dag_id)
        runs_before = {dag_id: client.run_count(dag_id) for dag_id in [*ingest_dags, PUBLISH_DAG]}
        airflow_local.unpause(client, [*ingest_dags, PUBLISH_DAG])
        # folder drops start by themselves (the triggerer watches landing/); pulled datasets wait
        # for their daily check, so start those now: with no partner server here their pull is
        # skipped and they ingest the files the demo landed for them
        for c in contracts:
            if c.transport.type != "landing_folder":
                client.trigger(f"ingest__{c.id}")
        failed = [d for d in ingest_dags if client.wait_run(d, after=runs_before[d], timeout=900)["state"] != "success"]
        print(f"    {len(ingest_dags) - len(failed)}/{len(ingest_dags)} ingest DAGs succeeded"
              + (f"; failed: {', '.join(failed)}" if failed else ""))
        client.wait_settled(PUBLISH_DAG, after=runs_before[PUBLISH_DAG])
        published, runs = client.published_run(PUBLISH_DAG, after=runs_before[PUBLISH_DAG])
        for run, states in reversed(runs):
            print(f"    {PUBLISH_DAG} (started by the ingest Assets): {run['state']} {states}")
    finally:
        airflow_local.stop(paths)
    if published is None or any(run["state"] != "success" for run, _ in runs):
        print(f"the pipeline failed; task logs are under {paths.airflow_home / 'logs'}")
        return 1
    print(f"4/4 published in {time.perf_counter() - started:.0f}s\n")
    print(f"  published view : {paths.current / 'index.html'}")
    print(f"  snapshot       : {paths.current / 'marmot.duckdb'} (read-only) and CSV beside it")
    print(f"  receipts       : {paths.receipts}")
    print("  ledger         : .venv/bin/marmot ledger")
    print('  query          : .venv/bin/marmot query "select * from mart_indicator_values limit 10"')
    print(f"  Airflow UI     : make up   (then http://127.0.0.1:{port}, login admin / admin; make down to stop)")
    return 0
