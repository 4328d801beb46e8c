"""``marmot portal serve`` (what ``make up`` starts beside Airflow) answers on 127.0.0.1, and docker-compose.yml
describes the portal as its own service sharing the platform's home and landing volumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from devtools import CHECKOUT
from devtools.bench.portal import free_port
from marmot.settings import HOME_ENV, PORTAL_SECURE_COOKIES_ENV, PROJECT_DIR_ENV, PSEUDONYM_KEY_ENV


def test_the_serve_command_answers_on_loopback(home):
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "marmot"), "portal", "serve", "--port", str(port)],
                            env={**os.environ, PORTAL_SECURE_COOKIES_ENV: "0"}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline, body = time.monotonic() + 60, None
        while body is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    body = r.read().decode()
                    cookie = r.headers["set-cookie"]
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.3)
        assert body is not None and '<label for="password">Password</label>' in body
        assert "Secure" not in cookie and "HttpOnly" in cookie
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def test_compose_runs_the_portal_as_its_own_service_on_the_shared_volumes():
    compose = yaml.safe_load((CHECKOUT / "docker-compose.yml").read_text())
    portal, api = compose["services"]["partner-portal"], compose["services"]["airflow-api-server"]
    assert portal["command"][:3] == ["marmot", "portal", "serve"]
    env = portal["environment"]
    assert env[HOME_ENV] == api["environment"][HOME_ENV] and env[PROJECT_DIR_ENV] == api["environment"][PROJECT_DIR_ENV]
    assert PSEUDONYM_KEY_ENV in env and env[PORTAL_SECURE_COOKIES_ENV] == "1"
    shared = {v for v in api["volumes"] if v.split(":")[0] in ("marmot-home", "partner-landing")}
    assert shared and shared <= set(portal["volumes"])
    assert portal["ports"] == [f"127.0.0.1:{env['MARMOT_PORTAL_PORT']}:{env['MARMOT_PORTAL_PORT']}"]
    assert "depends_on" not in portal  # no Airflow, Postgres or Redis needed
