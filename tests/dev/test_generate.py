"""The synthetic partner data generator: complete, deterministic, ingestible, realistic."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from devtools.synthetic import generate
from devtools.synthetic.periods import periods_for
from marmot.contracts import load_contracts
from marmot.ingest.ingestor import Ingestor


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def land_files(files: list[Path], src: Path, landing: Path) -> None:
    for f in files:
        target = landing / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)


@pytest.fixture(scope="module")
def one_year(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("gen")
    return out, generate(out, years=1, seed=11)


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path, one_year):
    out, _ = one_year
    again = tmp_path / "again"
    generate(again, years=1, seed=11)
    assert _hashes(again) == _hashes(out)
    other = tmp_path / "other"
    generate(other, years=1, seed=12)
    first, second = _hashes(out), _hashes(other)
    data = [k for k in first if k.startswith(("ons", "early_years", "census", "public_health"))
            and "ward_boundaries" not in k]  # reference boundaries: the same squares whatever the seed
    assert {k.rsplit(".", 1)[1] for k in data} >= {"csv", "xlsx", "json", "parquet"}
    assert all(first[k] != second[k] for k in data)


def test_every_contract_gets_one_file_per_period_in_its_first_format(one_year):
    out, files = one_year
    for c in load_contracts().values():
        got = sorted((out / c.partner / c.dataset).iterdir())
        one = c.id in ("census__households_2021", "ons__ward_boundaries")
        assert len(got) == (1 if one else len(periods_for(c.schedule, 1))), c.id
        suffix = ".geojson" if c.id == "ons__ward_boundaries" else f".{c.formats[0]}"  # read as json
        assert all(f.name.startswith("synthetic_") and f.suffix == suffix for f in got), c.id
    assert (out / "README_SYNTHETIC.txt").read_text().startswith("SYNTHETIC DEMO DATA")
    assert not (out / "_faults.json").exists()
    csv_bytes = (out / "early_years" / "eyfsp").glob("*.csv").__next__().read_bytes()
    assert csv_bytes.startswith(b"UPN,DOB,Gender,LSOA,FSM,Ethnicity,GLD,Academic Year\r\n")


def test_every_clean_file_is_accepted_without_a_rejected_row(home, one_year):
    out, files = one_year
    land_files(files, out, home.landing)
    entries = Ingestor(home).run()
    assert len(entries) == len(files)
    problems = [(e.original_name, e.status, e.rows_rejected, e.reasons[:2]) for e in entries
                if e.status != "accepted" or e.rows_rejected]
    assert problems == []
    assert sum(e.rows_loaded for e in entries) > 100_000


def test_outcomes_follow_the_deprivation_gradient(one_year):
    out, _ = one_year
    con = duckdb.connect()
    con.execute("create table imd as select lsoa21_code, (cast(IMD_decile as int) + 1) // 2 as q "
                "from 'dbt_project/seeds/geography/lsoa21_imd2025.csv'")
    gld = dict(con.execute(
        f"select q, avg((GLD = 'Y')::int) from read_csv('{out}/early_years/eyfsp/*.csv', all_varchar=true) e "
        "join imd on e.LSOA = imd.lsoa21_code where q in (1, 5) group by q").fetchall())
    assert gld[5] - gld[1] > 0.08  # least deprived quintile clearly ahead
    # standardised mortality ratio by quintile (city age-sex rates applied to each quintile's population)
    smr = dict(con.execute(f"""
        with d as (select "LSOA21CD" l, "Sex" s, least(cast("Age At Death" as int), 90) a, count(*) n
                   from read_csv('{out}/ons/deaths/*.csv', all_varchar=true) group by all),
             p as (select "LSOA21CD" l, "SEX" s, "AGE" a, "POPULATION" pop from '{out}/ons/population/*.parquet'),
             j as (select p.*, coalesce(n, 0) n, q from p left join d using (l, s, a)
                   join imd on imd.lsoa21_code = p.l),
             city as (select s, a, sum(n) / sum(pop) r from j group by all)
        select q, sum(n) / sum(pop * r) from j join city using (s, a) where q in (1, 5) group by q""").fetchall())
    assert smr[1] > 1.6 * smr[5]


def test_scale_multiplies_records_per_area(tmp_path):
    small = generate(tmp_path / "s1", years=1, seed=5, datasets=["ons/population", "early_years/eyfsp"])
    big = generate(tmp_path / "s3", years=1, seed=5, scale=3, datasets=["ons/population", "early_years/eyfsp"])

    def count(f):
        return duckdb.sql(f"select count(*) from read_csv('{f}')").fetchone()[0]

    def people(f):
        return duckdb.sql(f"select sum(POPULATION) from '{f}'").fetchone()[0]

    assert [f.name for f in small] == [f.name for f in big]
    eyfsp = [f for f in small + big if f.suffix == ".csv"]
    assert 2.7 < count(eyfsp[1]) / count(eyfsp[0]) < 3.3
    pops = [f for f in small + big if f.suffix == ".parquet"]
    assert 2.9 < people(pops[1]) / people(pops[0]) < 3.1


def test_dirty_files_show_their_fault_in_the_ledger(home, tmp_path):
    out = tmp_path / "dirty"
    generate(out, years=1, seed=3, dirty=0.5)
    manifest = json.loads((out / "_faults.json").read_text())
    assert len({m["fault"] for m in manifest}) >= 12
    land_files([out / m["file"] for m in manifest], out, home.landing)
    got = {f"{e.partner}/{e.dataset}/{e.original_name}": e for e in Ingestor(home).run()}
    for m in manifest:
        e = got[m["file"]]
        assert e.status == m["expected_status"], (m, e.status, e.reasons)
        assert set(m["expected_codes"]) <= {r["code"] for r in e.reasons}, (m, e.reasons)
        if m["expected_status"] == "accepted":  # tolerated faults lose no rows
            assert e.rows_rejected == 0 and e.rows_loaded > 0, m
    visible = [m for m in manifest if m["expected_status"] != "accepted"]
    assert len(visible) > len(manifest) / 2
    again = tmp_path / "again"
    generate(again, years=1, seed=3, dirty=0.5)
    assert _hashes(again) == _hashes(out)
