"""The write-audit candidate: the build's ``marts`` schema frozen in ``staging/<run>/marmot.duckdb``.

``validate`` stages it and the gates audit it; ``publish`` ships exactly it, so a build that
runs after a validation can never slip unaudited data into a publication.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from marmot.atomic import replacing
from marmot.settings import Paths

PUBLISHED_SCHEMA = "marts"


def staging(paths: Paths) -> Path:
    return paths.home / "staging"


def candidate_db(paths: Paths, run_id: str) -> Path:
    return staging(paths) / run_id / "marmot.duckdb"


def stage(paths: Paths, run_id: str) -> dict[str, int]:
    """Copy the build's published marts into the run's candidate; return row counts.

    A new candidate supersedes older ones (their validations are no longer the latest)."""
    root = staging(paths)
    if root.exists():
        for old in root.iterdir():
            shutil.rmtree(old)
    target = candidate_db(paths, run_id)
    target.parent.mkdir(parents=True)
    with replacing(target) as tmp:
        return _copy_marts(paths.build_db, tmp)


def discard(paths: Paths, run_id: str) -> None:
    shutil.rmtree(candidate_db(paths, run_id).parent, ignore_errors=True)


def _copy_comments(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """The marts' table and column comments (their dbt descriptions, persist_docs), which CREATE TABLE AS drops."""
    for table, comment in con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'build' AND schema_name = ? "
            "AND comment IS NOT NULL", [PUBLISHED_SCHEMA]).fetchall():
        con.execute(f'COMMENT ON TABLE main."{table}" IS {_literal(comment)}')
    for table, column, comment in con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = 'build' "
            "AND schema_name = ? AND comment IS NOT NULL", [PUBLISHED_SCHEMA]).fetchall():
        if table in tables:
            con.execute(f'COMMENT ON COLUMN main."{table}"."{column}" IS {_literal(comment)}')


def _literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters), without the newline a folded YAML scalar ends with."""
    return "'" + text.strip().replace("'", "''") + "'"


def _copy_marts(build_db: Path, target_db: Path) -> dict[str, int]:
    con = duckdb.connect(str(target_db))
    try:
        con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'build' AND schema_name = ? "
            "ORDER BY table_name", [PUBLISHED_SCHEMA]).fetchall()]
        counts = {}
        for t in tables:
            # sorted: a mart's row order is whatever DuckDB's threads produced; the publication's is fixed
            con.execute(f'CREATE TABLE main."{t}" AS SELECT * FROM build.{PUBLISHED_SCHEMA}."{t}" ORDER BY ALL')
            counts[t] = con.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0]
        _copy_comments(con, tables)
        con.execute("DETACH build")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts
