"""The slice under the real Airflow scheduler: components on 127.0.0.1, DAGs unpaused and
triggered through the REST API, the Asset starts the publish DAG, everything stops after."""

from __future__ import annotations

import socket

import pytest

from marmot import airflow_local
from marmot.ingest import copy_into_landing

pytestmark = pytest.mark.scheduler


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening() -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket on the machine (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A":
                    addr, port = local.split(":")
                    found.add((addr, int(port, 16)))
    return found


WILDCARDS = {"00000000", "00000000000000000000000000000000"}


def test_slice_runs_under_the_real_scheduler(home, synthetic):
    copy_into_landing(synthetic, home.landing)
    port = _free_port()
    before = _listening()
    airflow_local.start(home, port=port, tie_to_parent=True)
    try:
        opened = _listening() - before
        assert (("0100007F", port) in opened), f"API not on 127.0.0.1:{port}: {opened}"
        assert not [s for s in opened if s[0] in WILDCARDS], f"something listens beyond loopback: {opened}"
        client = airflow_local.Client(port)
        for dag_id in ("ingest__early_years__eyfsp", "marmot_build_validate_publish"):
            client.wait_dag(dag_id)
            client.unpause(dag_id)
        run_id = client.trigger("ingest__early_years__eyfsp")
        assert client.wait_run("ingest__early_years__eyfsp", run_id)["state"] == "success"
        run = client.wait_run("marmot_build_validate_publish", after=0, timeout=300)
        states = client.task_states("marmot_build_validate_publish", run["dag_run_id"])
        assert run["state"] == "success", states
        assert states == {"build": "success", "validate": "success", "publish": "success"}
        assert run["run_type"] == "asset_triggered"
    finally:
        pids = list(airflow_local.status(home)["running"].values())
        airflow_local.stop(home)
    assert (home.current / "index.html").exists()
    assert not any(airflow_local.is_alive(p) for p in pids)
