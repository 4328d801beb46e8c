"""What a publication of a home's current build would ship, as bytes: the candidate's marts exported the way
marmot.publish.snapshot exports them (CSV and Parquet)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from marmot.publish.snapshot import export_tables
from marmot.settings import Paths
from marmot.validate import candidate


def published_bytes(paths: Paths, folder: Path) -> dict[str, bytes]:
    candidate.stage(paths, "determinism")
    con = duckdb.connect(str(candidate.candidate_db(paths, "determinism")), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        folder.mkdir(parents=True)
        export_tables(con, tables, folder)
    finally:
        con.close()
        candidate.discard(paths, "determinism")
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


def differing(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    assert first.keys() == second.keys() and len(first) >= 14, (sorted(first), sorted(second))
    return [name for name in first if first[name] != second[name]]
