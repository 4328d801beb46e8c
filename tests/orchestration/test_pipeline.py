"""End to end through the stages (no Airflow): landed file -> published figures."""

from __future__ import annotations

import csv
import json
import stat

import duckdb
import pytest
from conftest import EYFSP_HEADER, eyfsp_row, land_eyfsp

from marmot.contracts import load_contracts
from marmot.ingest import ledger
from marmot.land.drop import copy_into_landing
from marmot.orchestration import pipeline


@pytest.fixture(scope="module")
def other_partners(tmp_path_factory):
    """Every other partner dataset (small scale): the gates need all principles to publish."""
    from devtools.synthetic import generate

    out = tmp_path_factory.mktemp("other_partners")
    names = [f"{c.partner}/{c.dataset}" for c in load_contracts().values() if c.dataset != "eyfsp"]
    return out, generate(out, years=2, seed=7, scale=0.1, datasets=names)


def _expected_city_gld(files) -> dict[str, tuple[int, int]]:
    """Numerator and denominator per year, straight from the landed CSVs."""
    out = {}
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        year = rows[0]["Academic Year"]
        out[year] = (sum(r["GLD"] == "Y" for r in rows), len(rows))
    return out


def _published_city(home):
    con = duckdb.connect(str(home.current / "marmot.duckdb"), read_only=True)
    try:
        return {p: (n, d, v) for p, n, d, v in con.execute(
            "select period, numerator, denominator, value from mart_indicator_values "
            "where indicator_id = 'p1_school_readiness' and geography_level = 'city'").fetchall()}
    finally:
        con.close()


def test_published_figures_come_from_the_landed_files(home, synthetic, other_partners):
    files = sorted(synthetic.rglob("*.csv"))
    expected = _expected_city_gld(files)
    copy_into_landing(synthetic, home.landing)
    copy_into_landing(other_partners[0], home.landing)
    out = pipeline.run(home, progress=lambda _: None)
    assert out["ingest"]["by_status"] == {"accepted": len(files) + len(other_partners[1])}
    published = _published_city(home)
    assert set(published) == set(expected)
    for year, (num, den) in expected.items():
        assert published[year][:2] == (num, den)
        assert published[year][2] == pytest.approx(100 * num / den, abs=1e-4)
    page = (home.current / "index.html").read_text()
    latest = max(expected)
    num, den = expected[latest]
    assert f"{100 * num / den:.1f}" in page and "Synthetic demo data" in page
    db = home.current / "marmot.duckdb"
    assert not db.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    manifest = json.loads((home.current / "manifest.json").read_text())
    # every landed file feeds the publication unless a later restatement superseded it
    superseded = {e.sha256 for e in ledger.read_all(home.ledger) if e.status == "superseded"}
    assert {s["sha256"] for s in manifest["sources"]} == {
        __import__("hashlib").sha256(f.read_bytes()).hexdigest() for f in files + other_partners[1]} - superseded
    # only published marts leave: no pseudonymised pupil rows in the snapshot
    con = duckdb.connect(str(db), read_only=True)
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    con.close()
    assert tables == {"mart_indicator_values", "mart_indicator_breakdowns", "mart_indicator_latest",
                      "mart_case_studies", "mart_indicator_metadata", "mart_principle_summary",
                      "mart_partner_activities",
                      "mart_data_coverage", "mart_publication_sources", "mart_indicator_comparators",
                      "mart_indicator_inequalities", "mart_indicator_group_comparisons", "mart_area_boundaries"}

    # change the file (a re-sent year with every child reaching GLD): the figure changes
    year_file = next(f for f in files if latest.replace("/", "-") in f.name)
    with open(year_file, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    land_eyfsp(home, "restated.csv", [r[:6] + ["Y"] + r[7:] for r in rows])
    pipeline.run(home, progress=lambda _: None)
    restated = _published_city(home)
    assert restated[latest][:2] == (den, den) and restated[latest][2] == 100
    assert len([p for p in home.published.iterdir() if not p.name.startswith(".") and p.name != "current"]) == 2


def test_quarantined_file_never_reaches_the_warehouse(home, synthetic, other_partners):
    copy_into_landing(synthetic, home.landing)
    copy_into_landing(other_partners[0], home.landing)
    header = [h for h in EYFSP_HEADER if h != "GLD"]
    land_eyfsp(home, "missing_gld.csv",
               [[v for h, v in zip(EYFSP_HEADER, eyfsp_row(i, year="2019/20"), strict=False) if h != "GLD"]
                for i in range(50)],
               header=header)
    out = pipeline.run(home, progress=lambda _: None)
    assert out["ingest"]["by_status"]["quarantined"] == 1
    con = duckdb.connect(str(home.build_db), read_only=True)
    periods = {r[0] for r in con.execute(
        "select distinct academic_year from staging.stg_early_years__eyfsp").fetchall()}
    con.close()
    assert "2019/20" not in periods


def test_failed_gate_blocks_publication_and_keeps_the_last_good_version(home, synthetic, other_partners):
    copy_into_landing(synthetic, home.landing)
    copy_into_landing(other_partners[0], home.landing)
    pipeline.run(home, progress=lambda _: None)
    good = home.current.resolve()
    # corrupt the build: a value outside its interval
    con = duckdb.connect(str(home.build_db))
    con.execute("update marts.mart_indicator_values set value = 150 where geography_level = 'city'")
    con.close()
    with pytest.raises(pipeline.GateFailed) as exc:
        pipeline.validate(home)
    assert "expect_column_values_to_be_between" in str(exc.value)
    with pytest.raises(pipeline.GateFailed, match="did not pass"):
        pipeline.publish(home)
    assert home.current.resolve() == good
