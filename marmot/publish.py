"""Publish a read-only snapshot of the marts: DuckDB file, CSV per mart, an HTML page, a manifest.

Write-audit-publish: the caller validates first; this builds ``published/.<version>.tmp``,
renames it to ``published/<version>`` and then swaps the ``current`` symlink atomically, so
a reader sees the old version or the new one, never a mix.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from marmot.settings import Paths
from marmot.templating import render

log = logging.getLogger(__name__)

PUBLISHED_SCHEMA = "marts"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
KEEP_VERSIONS = 5


def csv_safe(value):
    """Text cells a spreadsheet would run as a formula get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _copy_marts(build_db: Path, target_db: Path) -> dict[str, int]:
    """Copy every published mart into a fresh DuckDB file; return row counts."""
    con = duckdb.connect(str(target_db))
    try:
        con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'build' AND schema_name = ? "
            "ORDER BY table_name", [PUBLISHED_SCHEMA]).fetchall()]
        counts = {}
        for t in tables:
            con.execute(f'CREATE TABLE main."{t}" AS SELECT * FROM build.{PUBLISHED_SCHEMA}."{t}"')
            counts[t] = con.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0]
        con.execute("DETACH build")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def _write_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    cur = con.execute(f'SELECT * FROM "{table}"')
    header = [d[0] for d in cur.description]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        while rows := cur.fetchmany(10_000):
            w.writerows([csv_safe(v) for v in row] for row in rows)


def _page_context(con: duckdb.DuckDBPyConnection, version: str, sources: list[dict]) -> dict:
    indicators = con.execute(
        "SELECT indicator_id, any_value(indicator_name), any_value(principle_label), any_value(unit), "
        "max(period) FROM mart_indicator_values GROUP BY indicator_id ORDER BY indicator_id").fetchall()
    blocks = []
    for ind_id, name, principle, unit, latest in indicators:
        rows = con.execute(
            "SELECT geography_level, area_name, numerator, denominator, value, lower_95, upper_95, is_suppressed "
            "FROM mart_indicator_values WHERE indicator_id = ? AND period = ? "
            "ORDER BY CASE geography_level WHEN 'city' THEN 0 WHEN 'imd_quintile' THEN 1 ELSE 2 END, area_code",
            [ind_id, latest]).fetchall()
        trend = con.execute(
            "SELECT period, value, lower_95, upper_95 FROM mart_indicator_values "
            "WHERE indicator_id = ? AND geography_level = 'city' ORDER BY period", [ind_id]).fetchall()
        blocks.append({
            "id": ind_id, "name": name, "principle": principle, "unit": unit, "period": latest,
            "rows": [dict(zip(("level", "area", "numerator", "denominator", "value", "lower", "upper",
                                "suppressed"), r)) for r in rows],
            "trend": [dict(zip(("period", "value", "lower", "upper"), r)) for r in trend],
        })
    return {
        "version": version,
        "indicators": blocks,
        "synthetic": any(s["is_synthetic"] for s in sources),
        "sources": sources,
    }


def publish(paths: Paths, *, validation: dict | None = None, build: dict | None = None) -> Path:
    """Publish the build warehouse's marts as a new version; return its folder."""
    now = datetime.now(timezone.utc)
    version = now.strftime("%Y%m%dT%H%M%S%fZ")
    paths.published.mkdir(parents=True, exist_ok=True)
    staging = paths.published / f".{version}.tmp"
    staging.mkdir()
    db = staging / "marmot.duckdb"
    counts = _copy_marts(paths.build_db, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        sources = [dict(zip(("partner", "dataset", "original_name", "sha256", "batch_id", "is_synthetic"), r))
                   for r in con.execute(
                       "SELECT partner, dataset, original_name, sha256, batch_id, is_synthetic "
                       "FROM mart_publication_sources ORDER BY partner, dataset, batch_id").fetchall()]
        for table in counts:
            _write_csv(con, table, staging / f"{table}.csv")
        (staging / "index.html").write_text(
            render("published_index.html.j2", **_page_context(con, version, sources)), encoding="utf-8")
    finally:
        con.close()
    manifest = {
        "version": version,
        "published_at": now.isoformat(),
        "row_counts": counts,
        "sources": sources,
        "validation": validation,
        "build": build,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    for f in staging.iterdir():
        f.chmod(0o444)
    final = paths.published / version
    os.replace(staging, final)
    _point_current(paths, version)
    _prune(paths)
    log.info("published version %s: %s", version, counts)
    return final


def _point_current(paths: Paths, version: str) -> None:
    link = paths.current
    tmp = paths.published / f".current-{version}"
    tmp.symlink_to(version)
    os.replace(tmp, link)


def _prune(paths: Paths, keep: int = KEEP_VERSIONS) -> None:
    versions = sorted(p for p in paths.published.iterdir() if p.is_dir() and not p.is_symlink()
                      and not p.name.startswith("."))
    current = paths.current.resolve()
    for old in versions[:-keep]:
        if old.resolve() != current:
            for f in old.iterdir():
                f.chmod(0o644)
            shutil.rmtree(old)
