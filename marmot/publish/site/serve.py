"""``marmot serve``: the current publication over HTTP on 127.0.0.1, read-only (GET and HEAD only, no folder
listings).

The folder is resolved once at start: a publication made while serving is picked up on restart,
and a request never sees a mix of two versions.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".md": "text/markdown; charset=utf-8", ".duckdb": "application/octet-stream",
                      ".parquet": "application/vnd.apache.parquet",
                      ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

    def list_directory(self, path):
        """No folder listings: readers get the files the pages link to, not an inventory of the version."""
        self.send_error(404, "No such page")
        return None


def make_server(folder: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A server for ``folder`` on 127.0.0.1 (port 0: a free port; read it from ``server_address``)."""
    root = Path(folder).resolve(strict=True)
    handler = functools.partial(_Handler, directory=str(root))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
