"""Readers of ``published/current`` during publishes: old or new version, never an error or a mix."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import duckdb
from fixtures.marts import MART_SUITE, value_rows, write_build

from marmot.orchestration import pipeline
from marmot.validate.gates import validate

READER = textwrap.dedent("""
    import json, sys, time, duckdb
    db, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
    seen, errors = [], []
    import os
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(db, read_only=True)
            seen.append(con.execute(
                "select (select count(*) from mart_indicator_values), (select count(*) from mart_publication_sources)"
            ).fetchone())
            con.close()
        except Exception as exc:
            errors.append(repr(exc))
    json.dump({"seen": seen, "errors": errors}, open(out, "w"))
""")


def _publish(home, n_areas: int) -> tuple[int, int]:
    write_build(home, value_rows(n_areas=n_areas), sources=n_areas)
    assert validate(home, suites=[MART_SUITE]).passed
    pipeline.publish(home)
    return len(value_rows(n_areas=n_areas)), n_areas


def test_readers_see_old_or_new_version_while_publishes_happen(built, tmp_path):
    expected = {_publish(built, 20)}
    stop, out = tmp_path / "stop", tmp_path / "seen.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(built.current / "marmot.duckdb"), str(stop), str(out)])
    queries = []
    try:
        for n in (19, 18, 17, 16):
            expected.add(_publish(built, n))
            r = subprocess.run([sys.executable, "-m", "marmot.cli", "query", "--format", "json",
                                "select count(*) as n from mart_indicator_values"], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr
            queries.append(json.loads(r.stdout)[0]["n"])
    finally:
        stop.touch()
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    assert result["errors"] == []
    seen = {tuple(s) for s in result["seen"]}
    assert seen <= expected and len(seen) >= 2, seen
    assert len(result["seen"]) > 50
    assert set(queries) <= {rows for rows, _ in expected}


def test_a_build_holding_its_warehouse_does_not_block_readers(built):
    validate(built, suites=[MART_SUITE])
    pipeline.publish(built)
    writer = duckdb.connect(str(built.build_db))  # as dbt holds it during a build
    try:
        r = subprocess.run([sys.executable, "-m", "marmot.cli", "query", "select count(*) from mart_indicator_values"],
                           capture_output=True, text=True)
    finally:
        writer.close()
    assert r.returncode == 0 and str(len(value_rows())) in r.stdout, r.stderr
