"""``make up`` starts the partner portal beside Airflow (``airflow_local.start(portal_port=...)``) and ``make down``
stops it with the Airflow components. Airflow itself is left out here (its start is tested with the scheduler
tests): no components, no migration, no health wait; the portal process is real."""

from __future__ import annotations

import time
import urllib.request

from devtools import airflow_local
from devtools.bench.portal import free_port


def test_up_starts_the_portal_on_loopback_and_down_stops_it(home, monkeypatch):
    monkeypatch.setattr(airflow_local, "COMPONENTS", {})
    monkeypatch.setattr(airflow_local, "migrate", lambda *a, **k: None)
    monkeypatch.setattr(airflow_local.Client, "wait_healthy", lambda self, timeout: None)
    port = free_port()
    info = airflow_local.start(home, port=free_port(), portal_port=port, tie_to_parent=True)
    try:
        assert info["portal"] == f"http://127.0.0.1:{port}"
        pid = airflow_local.status(home)["running"]["portal"]
        deadline, body = time.monotonic() + 60, ""
        while "Sign in" not in body and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{info['portal']}/login", timeout=5) as r:
                    body = r.read().decode()
                    assert "Secure" not in r.headers["set-cookie"]  # plain http on 127.0.0.1
            except OSError:
                time.sleep(0.3)
        assert "Sign in" in body, airflow_local.component_log(home, "portal").read_text()
    finally:
        assert airflow_local.stop(home) == 1
    assert not airflow_local.is_alive(pid)
