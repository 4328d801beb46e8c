"""Helpers for the write-audit-publish tests: a stand-in build warehouse, without dbt.

The publish mechanics (staging, gates, versions, readers, crashes) do not depend on how the
marts were computed, so most tests write ``warehouse/build.duckdb`` directly: a ``marts``
schema with ``mart_indicator_values`` (one indicator per principle the catalogue declares)
and ``mart_publication_sources`` with the columns of their dbt contracts. They also use their own small mart suite, so suites the
marts engineer adds to expectations/marts cannot change what these tests prove.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from marmot.platform_gates import catalogue_principles
from marmot.settings import Paths

MART_SUITE = {"suite": "test_mart_indicator_values", "table": "marts.mart_indicator_values", "expectations": [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "indicator_id"}, "severity": "critical",
     "why": "every row names its indicator"},
    {"type": "expect_column_values_to_be_between",
     "kwargs": {"column": "value", "min_value": 0, "max_value": 100}, "severity": "critical",
     "why": "a percentage outside 0-100 is a calculation error"},
]}
WARDS = [f"E0500{1200 + i}" for i in range(20)]


def value_rows(n_areas: int = 20, value: float = 50.0, principles: list[str] | None = None) -> list[tuple]:
    rows = []
    for p in principles if principles is not None else catalogue_principles():
        for period in ("2023/24", "2024/25"):
            for area in WARDS[:n_areas]:
                rows.append((f"{p.lower()}_test", f"Test indicator for {p}", p, f"Principle {p}", period, "ward",
                             area, f"Ward {area}", "%", 50.0, 100.0, value, value - 5, value + 5, False, None, "HiB", "wilson"))
    return rows


def write_build(home: Paths, rows: list[tuple] | None = None, *, sources: int = 2,
                extra_tables: tuple[str, ...] = ()) -> None:
    """(Re)write the build warehouse as dbt would: a ``marts`` schema of tables."""
    home.build_db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(home.build_db))
    try:
        con.execute("DROP SCHEMA IF EXISTS marts CASCADE")
        con.execute("CREATE SCHEMA marts")
        con.execute("""CREATE TABLE marts.mart_indicator_values (indicator_id VARCHAR, indicator_name VARCHAR,
            principle_key VARCHAR, principle_label VARCHAR, period VARCHAR, geography_level VARCHAR,
            area_code VARCHAR, area_name VARCHAR, unit VARCHAR, numerator DOUBLE, denominator DOUBLE,
            value DOUBLE, lower_95 DOUBLE, upper_95 DOUBLE, is_suppressed BOOLEAN, suppression_reason VARCHAR,
            polarity VARCHAR, method VARCHAR)""")
        rows = value_rows() if rows is None else rows
        if rows:
            con.executemany(f"INSERT INTO marts.mart_indicator_values VALUES ({', '.join('?' * 18)})", rows)
        con.execute("""CREATE TABLE marts.mart_publication_sources (partner VARCHAR, dataset VARCHAR,
            batch_id VARCHAR, original_name VARCHAR, sha256 VARCHAR, received_at TIMESTAMPTZ, rows_loaded BIGINT,
            is_synthetic BOOLEAN)""")
        for i in range(sources):
            con.execute("INSERT INTO marts.mart_publication_sources VALUES "
                        "('early_years', 'eyfsp', ?, ?, ?, TIMESTAMPTZ '2026-01-01 00:00:00+00', 100, true)",
                        [f"batch-{i}", f"synthetic_{i}.csv", hashlib.sha256(str(i).encode()).hexdigest()])
        for t in extra_tables:
            con.execute(f"CREATE TABLE marts.{t} AS SELECT 1 AS x")
    finally:
        con.close()


def table_hashes(db: Path, schema: str = "main", skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Content hash of every table of a schema (row order ignored), to compare publications."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = ? "
                                            "ORDER BY 1", [schema]).fetchall()]
        return {t: hashlib.sha256(repr(con.execute(f'SELECT * FROM {schema}."{t}" ORDER BY ALL').fetchall())
                                  .encode()).hexdigest() for t in tables if t not in skip}
    finally:
        con.close()
