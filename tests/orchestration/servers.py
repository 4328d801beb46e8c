"""Real local servers for notification tests: SMTP (aiosmtpd) and an HTTP webhook, on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``messages`` holds (envelope recipients, parsed message)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], object]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def conn_uri(self) -> str:
        return (f"smtp://127.0.0.1:{self.port}?disable_tls=true&disable_ssl=true"
                f"&from_email=marmot-platform%40coventry.example&timeout=10&retry_limit=0")


class WebhookServer:
    """An HTTP server on 127.0.0.1 recording every JSON body POSTed to it."""

    def __init__(self):
        self.posts: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.posts.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def conn_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks%2Fmarmot"


WILDCARDS = {"00000000", "00000000000000000000000000000000"}


def listening() -> set[tuple[str, int]]:
    """(hex address, port) of every listening TCP socket on the machine (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A":
                    addr, port = local.split(":")
                    found.add((addr, int(port, 16)))
    return found
