"""The portal's SQLite store: accounts, API tokens, sessions and failed sign-ins, under ``$MARMOT_HOME/portal``.

Every change is one SQLite transaction (atomic on disk); the file and its folder are the platform user's only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from marmot.atomic import PRIVATE, private_dirs
from marmot.settings import Paths

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, role TEXT NOT NULL, partner TEXT, password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, partner TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, ip TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_by_user ON login_failures (username, ip, at);
"""


def store_path(paths: Paths) -> Path:
    return paths.portal / "portal.sqlite"


@contextmanager
def connect(paths: Paths) -> Iterator[sqlite3.Connection]:
    """A connection in one transaction: committed when the block ends, rolled back when it raises."""
    private_dirs(paths.portal)
    path = store_path(paths)
    new = not path.exists()
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        if new:
            path.chmod(PRIVATE)
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.close()
