"""The slice under the real Airflow scheduler, nobody pressing a button once the file lands:
components on 127.0.0.1, DAGs unpaused through the REST API, then the EYFSP file lands; the
triggerer's landing watcher starts the ingest DAG, its raw Asset starts the publish DAG, and
everything stops after.
The other partners' batches are ingested beforehand (the gates need every principle; see
tests/orchestration/helpers.py); the time from EYFSP landing to its publication is printed."""

from __future__ import annotations

import time

import pytest

from devtools import airflow_local
from marmot.land.drop import copy_into_landing
from marmot.settings import LANDING_POLL_ENV
from orchestration.helpers import generate_other_partners, preload
from orchestration.servers import WILDCARDS, free_port, listening

pytestmark = pytest.mark.scheduler


@pytest.fixture(scope="module")
def other_partners(tmp_path_factory):
    return generate_other_partners(tmp_path_factory.mktemp("other_partners"))


def test_slice_runs_under_the_real_scheduler(home, synthetic, other_partners, monkeypatch):
    monkeypatch.setenv(LANDING_POLL_ENV, "2")
    preload(home, other_partners)
    port = free_port()
    before = listening()
    airflow_local.start(home, port=port, tie_to_parent=True)
    try:
        opened = listening() - before
        assert (("0100007F", port) in opened), f"API not on 127.0.0.1:{port}: {opened}"
        assert not [s for s in opened if s[0] in WILDCARDS], f"something listens beyond loopback: {opened}"
        client = airflow_local.Client(port)
        assert client.pools()["warehouse"] == 1
        for dag_id in ("ingest__early_years__eyfsp", "marmot_build_validate_publish"):
            client.wait_dag(dag_id)
        publish_runs = client.run_count("marmot_build_validate_publish")
        for dag_id in ("marmot_build_validate_publish", "ingest__early_years__eyfsp"):
            client.unpause(dag_id)
        assert client.runs("ingest__early_years__eyfsp") == []
        landed_at = time.time()
        copy_into_landing(synthetic, home.landing)  # from here on, no API call starts anything
        run = client.wait_run("marmot_build_validate_publish", after=publish_runs, timeout=600)
        [ingested] = client.runs("ingest__early_years__eyfsp")
        assert ingested["run_type"] == "asset_triggered" and ingested["state"] == "success", ingested
        assert client.task_states("ingest__early_years__eyfsp", ingested["dag_run_id"]) == {"ingest": "success"}
        print(f"\nLocalExecutor: landing -> published in {time.time() - landed_at:.1f} s")
        states = client.task_states("marmot_build_validate_publish", run["dag_run_id"])
        assert run["state"] == "success", states
        assert states == {"settle": "success", "build": "success", "validate": "success", "publish": "success"}
        assert run["run_type"] == "asset_triggered"
        # the three stages ran in children of the home's stage server (marmot.orchestration.stage_server)
        served = (home.home / "logs" / "stage_server.log").read_text()
        assert all(f"{stage}: pid" in served for stage in ("build", "validate", "publish")), served
    finally:
        pids = list(airflow_local.status(home)["running"].values())
        airflow_local.stop(home)
    assert (home.current / "index.html").exists()
    assert not any(airflow_local.is_alive(p) for p in pids)
