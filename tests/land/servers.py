"""Real servers for the transport tests, each on 127.0.0.1 and a free port, stopped by the test."""

from __future__ import annotations

import asyncio
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


async def _cancel_others() -> None:
    """Finish the server's session tasks before the loop stops (no 'Task was destroyed')."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _close(server) -> None:
    """Close on the server's own loop: asyncio objects are not thread-safe (closing from the test's
    thread raced the loop and failed now and then inside asyncio)."""
    server.close()
    await server.wait_closed()


@contextmanager
def sftp_server(root: Path, user: str, password: str, client_public_key: str | None = None):
    """asyncssh SFTP server rooted at ``root``; yields (port, host public key line)."""
    import asyncssh

    host_key = asyncssh.generate_private_key("ssh-ed25519")
    loop = asyncio.new_event_loop()

    class Server(asyncssh.SSHServer):
        def begin_auth(self, username):
            return True

        def password_auth_supported(self):
            return True

        def validate_password(self, username, pw):
            return (username, pw) == (user, password)

    async def start():
        return await asyncssh.listen(
            "127.0.0.1", 0, server_host_keys=[host_key], server_factory=Server,
            authorized_client_keys=asyncssh.import_authorized_keys(client_public_key) if client_public_key else None,
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(root).encode()),
        )

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        yield server.get_port(), host_key.export_public_key().decode().strip()
    finally:
        asyncio.run_coroutine_threadsafe(_close(server), loop).result(10)
        asyncio.run_coroutine_threadsafe(_cancel_others(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


class PagedApi:
    """JSON/NDJSON pages behind a bearer token; ``faults`` maps (page, attempt) to a status.

    ``periods`` maps a period ('2025-04') to its own pages, served when the request carries
    ``<period_param>=<period>`` (an unknown period has no records); without it ``pages`` is served."""

    def __init__(self, token: str, pages: list[list[dict]], *, ndjson: bool = False,
                 faults: dict[tuple[int, int], int] | None = None, retry_after: str = "1",
                 periods: dict[str, list[list[dict]]] | None = None, period_param: str = "month"):
        self.token, self.pages, self.ndjson = token, pages, ndjson
        self.faults, self.retry_after = faults or {}, retry_after
        self.periods, self.period_param = periods or {}, period_param
        self.requests: list[tuple[int, int, float]] = []  # (page, status, time)
        self.asked: list[str | None] = []  # the period each request carried (None: no period)

    @contextmanager
    def serve(self):
        import time

        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                query = parse_qs(urlparse(self.path).query)
                page = int(query.get("page", ["1"])[0])
                period = query.get(api.period_param, [None])[0]
                api.asked.append(period)
                attempt = sum(1 for p, *_ in api.requests if p == page) + 1
                status = 200
                if self.headers.get("Authorization") != f"Bearer {api.token}":
                    status = 401
                elif (page, attempt) in api.faults:
                    status = api.faults[(page, attempt)]
                api.requests.append((page, status, time.monotonic()))
                if status != 200:
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", api.retry_after)
                    self.end_headers()
                    return
                pages = api.pages if period is None else api.periods.get(period, [])
                records = pages[page - 1] if page <= len(pages) else []
                if api.ndjson:
                    body, kind = "".join(json.dumps(r) + "\n" for r in records).encode(), "application/x-ndjson"
                else:
                    body, kind = json.dumps({"data": records}).encode(), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.server_address[1]
        finally:
            server.shutdown()
            server.server_close()
            thread.join(10)


@contextmanager
def s3_server():
    """moto's S3 in server mode; yields its endpoint URL. moto keeps buckets in process-wide
    memory, so they are reset on exit: the next test's server starts empty."""
    import urllib.request

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST"),
                               timeout=10).close()
        server.stop()


class FingertipsApi:
    """The Fingertips bulk CSV endpoint: ``body`` for every request (or ``faults``, a status per attempt),
    with the query of each request kept in ``asked``."""

    def __init__(self, body: bytes, faults: list[int] | None = None, content_type: str = "text/csv"):
        self.body, self.faults, self.content_type = body, list(faults or []), content_type
        self.asked: list[tuple[str, dict[str, list[str]]]] = []

    @contextmanager
    def serve(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                url = urlparse(self.path)
                api.asked.append((url.path, parse_qs(url.query)))
                if api.faults:
                    self.send_response(api.faults.pop(0))
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", api.content_type)
                self.send_header("Content-Length", str(len(api.body)))
                self.end_headers()
                self.wfile.write(api.body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.server_address[1]
        finally:
            server.shutdown()
            server.server_close()
            thread.join(10)
