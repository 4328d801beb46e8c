"""The portal's audit log: one JSON line per sign-in (success and failure), upload, landing and download,
appended to ``$MARMOT_HOME/portal/audit.jsonl`` (opened ``O_APPEND``: lines are only ever added)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from marmot.atomic import PRIVATE, private_dirs
from marmot.settings import Paths


def audit_path(paths: Paths) -> Path:
    return paths.portal / "audit.jsonl"


def record(paths: Paths, event: str, *, user: str | None, ip: str | None, **details: object) -> None:
    """Append one event; a single ``write`` of a whole line, so concurrent writers never interleave."""
    private_dirs(paths.portal)
    line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, "user": user,
                       "ip": ip, **details}, sort_keys=True, default=str)
    fd = os.open(audit_path(paths), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, PRIVATE)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def read(paths: Paths, limit: int = 500) -> list[dict]:
    """The latest ``limit`` events, newest first."""
    try:
        lines = audit_path(paths).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in reversed(lines[-limit:]) if line.strip()]
