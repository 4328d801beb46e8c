"""The REST client the bench, the demo and the scheduler tests use: a request that met SQLite's
one-writer lock (Airflow answers 500 "Database error") is sent again; other errors are not."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devtools.airflow_local import Client


def _serve(answers: list[tuple[int, dict]]):
    """A real HTTP server on 127.0.0.1 answering each request with the next of ``answers``."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PATCH(self):
            seen.append(self.path)
            code, body = answers.pop(0)
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def _client(server) -> Client:
    client = Client(server.server_address[1])
    client._token = "test-token"
    return client


def test_a_request_that_met_a_busy_metadata_database_is_sent_again(monkeypatch):
    monkeypatch.setattr("devtools.airflow_local.time.sleep", lambda s: None)
    busy = (500, {"detail": {"reason": "Database error", "message": "Serious error when handling your request"}})
    server, seen = _serve([busy, busy, (200, {"is_paused": False})])
    try:
        _client(server).unpause("marmot_build_validate_publish")
    finally:
        server.shutdown()
    assert seen == ["/api/v2/dags/marmot_build_validate_publish"] * 3


def test_other_errors_and_a_database_that_stays_busy_are_raised(monkeypatch):
    monkeypatch.setattr("devtools.airflow_local.time.sleep", lambda s: None)
    busy = (500, {"detail": {"reason": "Database error"}})
    server, seen = _serve([(404, {"detail": "DAG not found"}), busy, busy, busy, busy])
    try:
        with pytest.raises(RuntimeError, match="404"):
            _client(server).unpause("nope")
        with pytest.raises(RuntimeError, match="500.*Database error"):
            _client(server).unpause("marmot_build_validate_publish")
    finally:
        server.shutdown()
    assert len(seen) == 1 + 4
