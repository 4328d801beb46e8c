"""Write-audit-publish: what a version holds, what a failed gate leaves, versions and rollback."""

from __future__ import annotations

import csv
import json
import stat
import subprocess
import sys

import duckdb
import pytest
from fixtures.marts import MART_SUITE, table_hashes, value_rows, write_build

from marmot.orchestration import pipeline
from marmot.publish.snapshot import candidate_db
from marmot.validate.gates import validate


def _publish(home, suites=(MART_SUITE,)) -> dict:
    report = validate(home, suites=list(suites))
    assert report.passed, report.summary()
    return pipeline.publish(home)


def _marmot(*args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "marmot.cli", *args], capture_output=True, text=True, check=check)


def test_a_version_holds_read_only_db_parquet_csv_data_docs_and_manifest(built):
    out = _publish(built)
    version = built.published / out["version"]
    assert built.current.resolve() == version.resolve()
    assert {p.name for p in version.iterdir()} >= {
        "marmot.duckdb", "manifest.json", "index.html", "data_docs", "validation",
        "mart_indicator_values.csv", "mart_indicator_values.parquet",
        "mart_publication_sources.csv", "mart_publication_sources.parquet"}
    for f in version.rglob("*"):
        if f.is_file():
            assert not f.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), f
    assert (version / "data_docs" / "index.html").read_text().count("test_mart_indicator_values") >= 1
    # the version's reports link to its own Data Docs, not to the (prunable) validation run
    assert 'href="../data_docs/index.html"' in (version / "validation" / "report.html").read_text()
    assert "Data Docs: ../data_docs\n" in (version / "validation" / "report.txt").read_text()
    con = duckdb.connect(str(version / "marmot.duckdb"), read_only=True)
    try:
        db_rows = con.execute("SELECT count(*) FROM mart_indicator_values").fetchone()[0]
        pq_rows = con.execute(f"SELECT count(*) FROM '{version / 'mart_indicator_values.parquet'}'").fetchone()[0]
    finally:
        con.close()
    with open(version / "mart_indicator_values.csv", newline="") as f:
        csv_rows = len(list(csv.DictReader(f)))
    assert db_rows == pq_rows == csv_rows == len(value_rows())
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["version"] == out["version"] and manifest["row_counts"]["mart_indicator_values"] == db_rows
    assert [s["sha256"][:8] for s in manifest["sources"]] and manifest["validation"]["passed"] is True
    assert manifest["validation"]["counts"]["blocking"] == 0


def test_csv_cells_that_a_spreadsheet_would_run_are_made_safe(home):
    rows = value_rows()
    rows[0] = rows[0][:7] + ("=HYPERLINK(\"http://x\")",) + rows[0][8:]
    write_build(home, rows)
    out = _publish(home)
    text = (home.published / out["version"] / "mart_indicator_values.csv").read_text()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_a_failed_gate_keeps_current_and_writes_a_report_naming_every_failure(built):
    good = _publish(built)
    rows = value_rows()
    rows[3] = rows[3][:11] + (150.0,) + rows[3][12:]
    rows[4] = (None,) + rows[4][1:]
    write_build(built, rows)
    report = validate(built, suites=[MART_SUITE])
    assert not report.passed
    failed = {(o.expectation, o.unexpected_count) for o in report.blocking}
    assert failed == {("expect_column_values_to_be_between", 1), ("expect_column_values_to_not_be_null", 1)}
    results = json.loads(report.path.read_text())
    between = next(o for o in results["outcomes"] if o["expectation"] == "expect_column_values_to_be_between")
    assert between["status"] == "failed" and between["sample_rows"][0]["value"] == 150.0
    assert between["sample_rows"][0]["area_code"] == rows[3][6]
    text = (report.folder / "report.txt").read_text()
    assert "BLOCKED" in text and "expect_column_values_to_be_between" in text and "150.0" in text
    html = (report.folder / "report.html").read_text()
    assert "BLOCKED publication" in html and "expect_column_values_to_not_be_null" in html
    assert (report.folder / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()
    with pytest.raises(pipeline.GateFailed, match="did not pass.*report.txt"):
        pipeline.publish(built)
    assert built.current.resolve().name == good["version"]
    assert not (built.home / "staging" / report.run_id).exists()  # nothing left to publish by mistake


def test_publish_ships_the_audited_candidate_not_a_later_build(built):
    run = validate(built, suites=[MART_SUITE]).run_id
    audited = table_hashes(candidate_db(built, run))
    write_build(built, value_rows(value=999.0))  # a later, unaudited (and bad) build
    out = pipeline.publish(built)
    assert table_hashes(built.published / out["version"] / "marmot.duckdb") == audited


def test_publishing_the_same_validation_twice_gives_the_same_version(built):
    first = _publish(built)
    assert pipeline.publish(built)["version"] == first["version"]


def test_keeps_the_last_n_versions_and_rolls_back_saying_which(built, monkeypatch):
    monkeypatch.setenv("MARMOT_KEEP_VERSIONS", "2")
    published = [_publish(built)["version"] for _ in range(3)]
    kept = sorted(p.name for p in built.published.iterdir() if p.name[0].isdigit())
    assert kept == published[1:]
    r = _marmot("publish", "--rollback")
    assert f"current is now version {published[1]} (was {published[2]})" in r.stdout
    assert built.current.resolve().name == published[1]
    r = _marmot("publish", "--rollback", check=False)
    assert r.returncode == 2 and "no earlier version" in r.stderr
    assert built.current.resolve().name == published[1]


def test_stale_staging_folders_of_a_killed_publish_are_cleaned_by_the_next(built):
    built.published.mkdir(parents=True)
    (built.published / ".20200101T000000000000Z.tmp").mkdir()
    (built.published / ".20200101T000000000000Z.tmp" / "marmot.duckdb").write_text("half written")
    (built.published / ".current-20200101T000000000000Z").symlink_to("20200101T000000000000Z")
    _publish(built)
    assert sorted(p.name for p in built.published.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_runs_read_only_against_current(built, fmt):
    _publish(built)
    sql = "select principle_key, count(*) as n from mart_indicator_values group by 1 order by 1"
    out = _marmot("query", sql, "--format", fmt).stdout
    expected = {(p, 40) for p in {r[2] for r in value_rows()}}
    if fmt == "json":
        assert {(r["principle_key"], r["n"]) for r in json.loads(out)} == expected
    elif fmt == "csv":
        assert {(r["principle_key"], int(r["n"])) for r in csv.DictReader(out.splitlines())} == expected
    else:
        lines = out.splitlines()
        assert lines[0].split() == ["principle_key", "n"] and {tuple(ln.split()) for ln in lines[2:]} == {
            (p, str(n)) for p, n in expected}
    r = _marmot("query", "delete from mart_indicator_values", check=False)
    assert r.returncode == 1 and "read-only" in r.stderr.lower()


def test_a_version_names_no_server_path_and_no_partner_file(built):
    """Readers learn batch ids and hashes, never the platform's folders nor a partner's file name."""
    version = built.published / _publish(built)["version"]
    manifest = json.loads((version / "manifest.json").read_text())
    assert set(manifest["sources"][0]) == {"partner", "dataset", "batch_id", "sha256", "is_synthetic"}
    assert manifest["validation"]["results"] == "validation/results.json"
    assert manifest["validation"]["data_docs"] == "data_docs/index.html"
    for f in version.rglob("*"):
        if f.is_file() and f.suffix in {".json", ".txt", ".html", ".csv", ".md", ".js"}:
            assert str(built.home.parent) not in f.read_text(encoding="utf-8", errors="replace"), f


def test_unchanged_exports_are_hard_links_to_the_previous_version_and_every_version_stays_read_only(
        built, monkeypatch):
    from marmot.publish.site import exports
    from marmot.publish.site.publication import Publication

    first = built.published / _publish(built)["version"]
    rows = value_rows()
    changed = rows[0][2]  # one principle's indicator gets new values
    write_build(built, [r[:11] + (52.0,) + r[12:] if r[2] == changed else r for r in rows])
    second = built.published / _publish(built)["version"]
    exported = sorted(p.relative_to(second) for p in (second / "exports").iterdir())
    assert len(exported) >= 4
    linked = {rel for rel in exported if (second / rel).stat().st_ino == (first / rel).stat().st_ino}
    changed_files = {f"exports/indicator-{changed.lower()}_test.csv", f"exports/principle-{changed}.xlsx"}
    assert {str(rel) for rel in set(exported) - linked} == changed_files, sorted(map(str, linked))
    for version in (first, second):
        for f in version.rglob("*"):
            if f.is_file():
                assert not f.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), f
    # a linked file holds exactly what this version would have written
    rel = next(r for r in linked if r.suffix == ".csv")
    pub = Publication.open(second)
    try:
        exports.indicator_csv(pub, rel.stem.removeprefix("indicator-"), built.home / "fresh.csv")
    finally:
        pub.close()
    assert (second / rel).read_bytes() == (built.home / "fresh.csv").read_bytes()
    assert (second / f"exports/indicator-{changed.lower()}_test.csv").read_bytes() != \
        (first / f"exports/indicator-{changed.lower()}_test.csv").read_bytes()
    # pruning the first version takes only its names for the shared files
    monkeypatch.setenv("MARMOT_KEEP_VERSIONS", "1")
    third = built.published / _publish(built)["version"]
    assert not first.exists() and (third / rel).read_bytes() == (built.home / "fresh.csv").read_bytes()
    assert not (third / rel).stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
