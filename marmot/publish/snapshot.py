"""Write-audit-publish, last step: publish exactly the candidate the gates audited
(``marmot.validate.candidate``).

- ``publish``: builds ``published/.<version>.tmp/`` from the passing candidate (read-only
  DuckDB file, Parquet and formula-safe CSV per mart, ``data_dictionary.csv`` (every table and
  column described), the run's Data Docs and reports,
  manifest.json, then the site pages from ``marmot.publish.site``), renames it to
  ``published/<version>`` and swaps the ``current`` symlink with one ``rename``: a reader
  opening ``current`` sees the old version or the new one, never a mix.
  Readers only ever open published copies, so a build never blocks them.
- Crash safety: every step before the swap works on names no reader uses; a rerun cleans
  stale ``.tmp`` folders and, when the run was already published, only re-points ``current``.
- Unchanged exports are hard links to the previous version's files and charts come from a cache by their
  spec (``marmot.publish.site.reuse``): both versions stay read-only (a link shares the 0444 file).
- ``MARMOT_KEEP_VERSIONS`` (default 5) versions are kept; ``rollback`` points ``current`` at
  the version before it.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from marmot import crash
from marmot.publish.csv_safe import csv_safe
from marmot.settings import Paths, keep_versions
from marmot.validate import dictionary
from marmot.validate.candidate import candidate_db, discard

log = logging.getLogger(__name__)

RUN_DATA_DOCS = "gx/uncommitted/data_docs/local_site/index.html"  # as validation_report.html.j2 links it


class NothingToPublish(RuntimeError):
    """The validated candidate is gone (discarded by a later validation, or never staged)."""


# -- publish ----------------------------------------------------------------------------------
def _write_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    write_query_csv(con.execute(f'SELECT * FROM "{table}"'), path)


def write_query_csv(cur: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The rows of an executed query as a formula-safe CSV file with a header."""
    header = [d[0] for d in cur.description]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        while rows := cur.fetchmany(10_000):
            w.writerows([csv_safe(v) for v in row] for row in rows)


def export_tables(con: duckdb.DuckDBPyConnection, tables: list[str], folder: Path) -> None:
    """Each table as ``<table>.csv`` and ``<table>.parquet`` in ``folder``, rows in stored order (the candidate
    stores them sorted, so the same data always gives the same bytes)."""
    for t in tables:
        _write_csv(con, t, folder / f"{t}.csv")
        con.execute(f"COPY \"{t}\" TO '{folder / f'{t}.parquet'}' (FORMAT parquet)")


def versions(paths: Paths) -> list[str]:
    if not paths.published.exists():
        return []
    return sorted(p.name for p in paths.published.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def current_version(paths: Paths) -> str | None:
    return os.readlink(paths.current) if paths.current.is_symlink() else None


def _published_run(paths: Paths, run_id: str) -> str | None:
    """The version that already holds this validation run (a rerun after a crash)."""
    for version in versions(paths):
        manifest = paths.published / version / "manifest.json"
        if manifest.exists() and json.loads(manifest.read_text())["validation"]["run_id"] == run_id:
            return version
    return None


def _clean_stale(paths: Paths) -> None:
    """Remove what a killed publish left behind: ``.<version>.tmp`` folders, ``.current-*`` links."""
    for p in paths.published.iterdir():
        if p.name.startswith(".") and p.name.endswith(".tmp") and p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.name.startswith(".current-") and p.is_symlink():
            p.unlink()


def publish(paths: Paths, *, validation: dict, build: dict | None = None) -> Path:
    """Publish the candidate that ``validation`` (a passing run) audited; return its folder."""
    paths.published.mkdir(parents=True, exist_ok=True)
    _clean_stale(paths)
    run_id = validation["run_id"]
    if done := _published_run(paths, run_id):
        log.info("validation run %s is already published as %s", run_id, done)
        _point_current(paths, done)
        discard(paths, run_id)
        return paths.published / done
    candidate = candidate_db(paths, run_id)
    if not candidate.exists():
        raise NothingToPublish(f"the candidate of validation run {run_id} is gone ({candidate}): "
                               "run `marmot validate` again")
    now = datetime.now(UTC)
    version = now.strftime("%Y%m%dT%H%M%S%fZ")
    tmp = paths.published / f".{version}.tmp"
    tmp.mkdir()
    shutil.copyfile(candidate, tmp / "marmot.duckdb")
    previous = current_version(paths)
    con = duckdb.connect(str(tmp / "marmot.duckdb"), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        sources = [dict(zip(("partner", "dataset", "sha256", "batch_id", "is_synthetic"), r, strict=True))
                   for r in con.execute(
                       "SELECT partner, dataset, sha256, batch_id, is_synthetic "
                       "FROM mart_publication_sources ORDER BY partner, dataset, batch_id").fetchall()]
        export_tables(con, tables, tmp)
        write_query_csv(con.execute(dictionary.QUERY), tmp / "data_dictionary.csv")
    finally:
        con.close()
    _copy_validation(validation, tmp)
    write_partner_status(paths, tmp, now.date())
    manifest = {"version": version, "published_at": now.isoformat(), "previous_version": previous,
                "row_counts": counts, "sources": sources, "validation": _published_validation(validation),
                "build": build}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    from marmot.publish.site.build import build_site  # altair and pandas: imported only by a publish that renders

    build_site(tmp, paths.published / previous if previous else None, chart_cache(paths))
    _read_only(tmp)
    crash.point("publish:copied")
    final = paths.published / version
    os.replace(tmp, final)
    crash.point("publish:renamed")
    _point_current(paths, version)
    crash.point("publish:switched")
    _prune(paths)
    discard(paths, run_id)
    log.info("published version %s: %s", version, counts)
    return final


def chart_cache(paths: Paths) -> Path:
    """The charts the latest version's pages hold, by spec (``marmot.publish.site.reuse``): outside ``published/``."""
    return paths.home / "cache" / "charts"


def _copy_validation(validation: dict, target: Path) -> None:
    """The run's Data Docs (``data_docs/``) and reports (``validation/``) travel with the version."""
    if validation.get("data_docs") and Path(validation["data_docs"]).exists():
        shutil.copytree(validation["data_docs"], target / "data_docs")
    folder = Path(validation["results"]).parent
    (target / "validation").mkdir()
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    results["data_docs"] = "../data_docs/index.html" if validation.get("data_docs") else None
    (target / "validation" / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    for name in ("report.txt", "report.html"):  # point their Data Docs links at the version's copy
        text = (folder / name).read_text(encoding="utf-8")
        text = text.replace(f'href="{RUN_DATA_DOCS}"', 'href="../data_docs/index.html"')
        if validation.get("data_docs"):
            text = text.replace(str(validation["data_docs"]), "../data_docs")
        (target / "validation" / name).write_text(text, encoding="utf-8")


PARTNER_STATUS = "partner_status.json"


def _delivery(e) -> dict | None:
    """What the public may see of a delivery's receipt: never the file name as sent (one held an NHS number) nor a
    problem's message (it may quote the file or its values), only codes, counts and the fix in plain words."""
    from marmot.ingest.problems import FIXES, level_of, title_of
    from marmot.ingest.receipts import HEADLINES

    if e is None:
        return None
    return {"batch_id": e.batch_id, "received_at": e.received_at, "status": e.status, "headline": HEADLINES[e.status],
            "rows_in": e.rows_in, "rows_loaded": e.rows_loaded, "rows_rejected": e.rows_rejected,
            "periods": e.periods, "problems": [{"code": r["code"], "column": r.get("column"), "rows": r.get("rows"),
                                                "title": title_of(r["code"]), "level": level_of(r["code"]),
                                                "fix": FIXES.get(r["code"], "")} for r in e.reasons]}


def write_partner_status(paths: Paths, target: Path, as_of) -> None:
    """``partner_status.json``: each partner dataset's status as of ``as_of`` by ``marmot.monitor.freshness.
    dataset_status`` (what ``marmot status`` prints), with its latest delivery's public receipt."""
    from marmot.contracts import load_contracts
    from marmot.ingest.ledger import read_all
    from marmot.monitor.freshness import dataset_status

    datasets = [{"partner": s.partner, "dataset": s.dataset, "partner_name": s.partner_name, "title": s.title,
                 "frequency": s.frequency, "state": s.state, "periods_received": s.periods_received,
                 "periods_due": s.periods_due, "received_late": s.received_late, "since": s.since,
                 "owed": [{k: getattr(r, k) for k in ("period", "due", "status", "days_overdue")} for r in s.owed],
                 "owed_text": s.owed_text(),
                 "next_due": s.next_due, "delivery": _delivery(s.last)}
                for s in dataset_status(load_contracts().values(), read_all(paths.ledger), as_of)]
    (target / PARTNER_STATUS).write_text(json.dumps({"as_of": as_of.isoformat(), "datasets": datasets}, indent=2),
                                         encoding="utf-8")


def _published_validation(validation: dict) -> dict:
    """The run's outcome with its files as paths inside the version: the server's folders are not published."""
    return {**validation, "results": "validation/results.json", "report": "validation/report.txt",
            "data_docs": "data_docs/index.html" if validation.get("data_docs") else None}


def _read_only(folder: Path) -> None:
    for root, _, files in os.walk(folder):
        for f in files:
            os.chmod(os.path.join(root, f), 0o444)


def _point_current(paths: Paths, version: str) -> None:
    """Swap ``current`` in one rename (atomic on POSIX): there is never a moment without it."""
    if current_version(paths) == version:
        return
    tmp = paths.published / f".current-{version}"
    if tmp.is_symlink():
        tmp.unlink()
    tmp.symlink_to(version)
    os.replace(tmp, paths.current)


def _prune(paths: Paths) -> None:
    current = current_version(paths)
    for old in versions(paths)[:-keep_versions()]:
        if old != current:
            shutil.rmtree(paths.published / old)


def rollback(paths: Paths) -> tuple[str, str]:
    """Point ``current`` at the kept version before it; return (from, to)."""
    kept, current = versions(paths), current_version(paths)
    if current not in kept or kept.index(current) == 0:
        raise NothingToPublish(f"no earlier version kept to roll back to (current: {current}; kept: {kept})")
    previous = kept[kept.index(current) - 1]
    _point_current(paths, previous)
    return current, previous
