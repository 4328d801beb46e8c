"""Analyst SQL (``marmot query``): reads of the published DuckDB file and nothing else.

A connection opened ``read_only=True`` still runs ``COPY ... TO``, ``ATTACH ... (READ_WRITE)``,
``ATTACH`` of another database (the warehouse holds unsuppressed numerators) and ``read_text()``
of any file (the pseudonym key): see STACK.md. So the connection also refuses file-system access
(``enable_external_access = false``), that setting is locked, and only one reading statement
(SELECT, including DESCRIBE/SHOW/SUMMARIZE/PRAGMA show_tables, or EXPLAIN) is run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

READING = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


class QueryRefused(ValueError):
    """The SQL is not one read of the publication."""


def open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """``db`` opened read-only, with no access to any other file and its configuration locked."""
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def run_query(db: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one reading statement against ``db``; return (column names, rows).

    Raises ``QueryRefused`` for anything but one SELECT/EXPLAIN and ``duckdb.Error`` when it fails
    (a file outside the publication is refused there, as a permission error).
    """
    con = open_read_only(db)
    try:
        statements = con.extract_statements(sql)
        if len(statements) != 1:
            raise QueryRefused(f"one SQL statement at a time, this has {len(statements)}: "
                               "run each on its own (no ';' between statements)")
        kind = statements[0].type
        if kind not in READING:
            raise QueryRefused(f"queries are read-only, only reads of the publication are allowed (SELECT, DESCRIBE, "
                               f"SHOW, EXPLAIN); this is a {kind.name} statement: nothing was run")
        cur = con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()
    finally:
        con.close()
