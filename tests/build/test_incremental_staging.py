"""The incremental staging tables (macros/current_batch_rows.sql) hold, after a build that read
only the changed periods, exactly what a build from every raw batch holds, and the publication is
byte-identical to a full build's."""

from __future__ import annotations

import ast
import importlib.util
import json
import shutil
from pathlib import Path

import duckdb
from conftest import eyfsp_row, land_eyfsp

from build.published_bytes import differing, published_bytes
from devtools.bench import run as bench
from devtools.synthetic import generate
from marmot.build.fingerprint import MODEL_CODE, code_fingerprint
from marmot.ingest import ledger
from marmot.land.drop import copy_into_landing
from marmot.orchestration import pipeline
from marmot.settings import Paths, dbt_project_dir


def _staging_tables(paths: Paths) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(paths.build_db), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'staging' "
            "AND table_name LIKE 'stg_%'").fetchall()]
        return {t: sorted(con.execute(f'SELECT * FROM staging."{t}"').fetchall(), key=repr) for t in names}
    finally:
        con.close()


def test_an_incremental_build_holds_what_a_full_build_holds(home, tmp_path):
    drop = tmp_path / "drop"
    generate(drop, years=3, scale=0.05, seed=11)
    held = bench.latest_period_files(drop)
    copy_into_landing(drop, home.landing)
    for f in held:
        (home.landing / f.relative_to(drop)).unlink()
    # a batch of two EYFSP years (superseding the generated files of those years)
    years = sorted({r[-1] for r in (p.read_text().splitlines()[1].split(",") for p in
                                    (drop / "early_years" / "eyfsp").glob("synthetic_*.csv"))})
    land_eyfsp(home, "two_years.csv", [eyfsp_row(i, year=years[0]) for i in range(4)]
               + [eyfsp_row(10 + i, year=years[1], gld="N") for i in range(3)])
    pipeline.ingest(home)
    first = pipeline.build(home)
    assert first["full_refresh"]  # nothing was built before
    before = _staging_tables(home)

    # the increment: the latest period of every dataset, and a re-sent first year, which replaces
    # that year's rows of the two-year batch (still loaded: its second year stays current)
    bench.land_files(drop, home.landing, held)
    land_eyfsp(home, "first_year_again.csv", [eyfsp_row(20 + i, year=years[0], gld="N") for i in range(5)])
    pipeline.ingest(home)
    statuses = {e.original_name: e.status for e in ledger.read_all(home.ledger)}
    # seven rows replacing two generated years is a sharp restatement: loaded, with a warning
    assert statuses["two_years.csv"] == "accepted_with_warnings" and statuses["first_year_again.csv"] == "accepted"
    assert sum(s == "superseded" for s in statuses.values()) >= 2

    incremental = pipeline.build(home)
    assert not incremental["full_refresh"]
    after = _staging_tables(home)
    assert after != before and len(after) == len(before) >= 25
    assert _eyfsp_batches_by_year(home) == {years[0]: ["first_year_again.csv"], years[1]: ["two_years.csv"]}

    _assert_same_as_full_build(home, after, tmp_path / "full")

    # the ledger takes back batches: the periods they held fall back to the latest batch still
    # loaded (the two-year batch) or, where none is left, leave the table
    entries = {e.original_name: e for e in ledger.read_all(home.ledger)}
    month = max(r[0] for r in after["stg_hospital__admissions"])
    [admissions] = [e for e in entries.values() if e.dataset == "admissions" and e.status == "accepted"
                    and e.original_name in {f.name for f in held}]
    for taken_back in (entries["first_year_again.csv"], admissions):
        taken_back.status = "superseded"
        ledger.write(home.ledger, taken_back)
    assert not pipeline.build(home)["full_refresh"]
    assert _eyfsp_batches_by_year(home) == {years[0]: ["two_years.csv"], years[1]: ["two_years.csv"]}
    again = _staging_tables(home)
    assert month not in {r[0] for r in again["stg_hospital__admissions"]}
    _assert_same_as_full_build(home, again, tmp_path / "full_again")


def _eyfsp_batches_by_year(paths: Paths) -> dict[str, list[str]]:
    con = duckdb.connect(str(paths.build_db), read_only=True)
    try:
        return dict(con.execute(
            "SELECT academic_year, list(DISTINCT ledger.original_name) FROM staging.stg_early_years__eyfsp "
            "JOIN staging.stg_platform__ledger AS ledger USING (batch_id) "
            "WHERE NOT starts_with(ledger.original_name, 'synthetic_') GROUP BY ALL").fetchall())
    finally:
        con.close()


def _assert_same_as_full_build(paths: Paths, tables: dict[str, list[tuple]], copy_to) -> None:
    """Copy the home, make it look built by older code, build it (in full) and compare."""
    full = Paths(copy_to)
    shutil.copytree(paths.home, full.home, symlinks=True)
    built_from = full.home / "warehouse" / "built_from.json"
    recorded = json.loads(built_from.read_text())
    assert recorded["code_fingerprint"] == code_fingerprint()
    built_from.write_text(json.dumps({**recorded, "code_fingerprint": "older code"}))
    assert pipeline.build(full)["full_refresh"]
    rebuilt = _staging_tables(full)
    differing_tables = [t for t in tables if tables[t] != rebuilt[t]]
    assert not differing_tables, f"staging tables differ from a full build: {differing_tables}"
    published = published_bytes(paths, Path(copy_to).with_name(f"{Path(copy_to).name}_published_incremental"))
    assert not differing(published, published_bytes(full, Path(copy_to).with_name(f"{Path(copy_to).name}_published")))


def test_the_code_fingerprint_follows_the_sql_and_not_what_dbt_writes(tmp_path):
    project, contracts = tmp_path / "dbt_project", tmp_path / "contracts"
    (project / "models").mkdir(parents=True)
    contracts.mkdir()
    model = project / "models" / "stg_a.sql"
    model.write_text("select 1 as a")
    (contracts / "a.yml").write_text("id: a")
    before = code_fingerprint((project, contracts))

    for written in (project / "target" / "manifest.json", project / "logs" / "dbt.log", project / ".user.yml"):
        written.parent.mkdir(exist_ok=True)
        written.write_text("{}")
    assert code_fingerprint((project, contracts)) == before

    model.write_text("select 2 as a")
    assert code_fingerprint((project, contracts)) != before
    model.write_text("select 1 as a")
    (contracts / "a.yml").write_text("id: a\ncolumns: []")
    assert code_fingerprint((project, contracts)) != before


INFRASTRUCTURE = {"marmot.atomic", "marmot.settings"}  # where a model's cache file is written: no value depends on it


def _marmot_imports(path: Path) -> set[str]:
    return {node.module for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("marmot")}


def test_the_code_fingerprint_covers_the_python_the_dbt_python_models_run():
    """A fix to a statistical method must rebuild every value made with it: each marmot module a dbt Python model
    imports, and each one those import in turn, is inside MODEL_CODE (whose files the fingerprint hashes)."""
    seen, todo = set(), set().union(*(_marmot_imports(p) for p in dbt_project_dir().joinpath("models").rglob("*.py")))
    assert todo, "the dbt project has Python models importing marmot"
    while todo:
        module = todo.pop()
        seen.add(module)
        origin = Path(importlib.util.find_spec(module).origin)
        if module not in INFRASTRUCTURE:
            assert any(origin.is_relative_to(root) for root in MODEL_CODE), f"{module} ({origin}) is not fingerprinted"
            todo |= _marmot_imports(origin) - seen
    assert {"marmot.build.models.indicator_values", "marmot.stats"} <= seen
