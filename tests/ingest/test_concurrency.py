"""Parallel ingests in separate processes: different partners all load; the same dataset is
never loaded twice; files a crashed process left claimed are picked up by the next run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import duckdb
from conftest import EYFSP_HEADER, eyfsp_row

from ingest.data import BIRTHS_HEADER, birth, case_study, claimant, crime, csv_bytes, land, ltc
from ingest.test_bad_input import CENSUS_HEADER, CENSUS_ROWS, NOTES, PUPILS, parquet, xlsx
from marmot.ingest.ingestor import Ingestor
from marmot.ingest.ledger import read_all

MARMOT = [sys.executable, "-m", "marmot.cli"]


def _start(home, *args) -> subprocess.Popen:
    env = {**os.environ, "MARMOT_HOME": str(home.home)}
    return subprocess.Popen([*MARMOT, "ingest", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _finish(procs) -> list[str]:
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        outs.append(out)
    return outs


DROPS = {
    "maternity/births/b.csv": csv_bytes([birth(i) for i in range(50)], BIRTHS_HEADER),
    "dwp/claimant_count/c.csv": csv_bytes([claimant(i, month=f"2025-{i % 4 + 1:02d}") for i in range(4)]),
    "partnership/case_studies/s.csv": csv_bytes([case_study(i) for i in range(3)]),
    "early_years/eyfsp/e.csv": csv_bytes([dict(zip(EYFSP_HEADER, eyfsp_row(i), strict=False)) for i in range(20)]),
    "police/recorded_crime/r.ndjson": "".join(json.dumps(crime(i)) + "\n" for i in range(4)).encode(),
    "icb/long_term_conditions/l.parquet": parquet([ltc(i) for i in range(4)]),
    "schools/pupil_census/p.parquet": parquet(PUPILS),
    "census/households_2021/h.xlsx": xlsx({"Notes": NOTES, "LSOA": [["title"], CENSUS_HEADER, *CENSUS_ROWS]}),
}


def test_eight_partners_ingest_in_eight_processes_at_once(home):
    for rel, data in DROPS.items():
        land(home.landing, *rel.split("/"), data)
    _finish([_start(home, "--partner", rel.split("/")[0]) for rel in DROPS])
    entries = read_all(home.ledger)
    assert sorted(f"{e.partner}/{e.dataset}/{e.original_name}" for e in entries) == sorted(DROPS)
    assert {e.status for e in entries} == {"accepted"}, [(e.original_name, e.reasons) for e in entries]
    total = duckdb.sql(f"select count(*) from read_parquet('{home.raw}/*/*/2*.parquet')").fetchone()[0]
    assert total == 50 + 4 + 3 + 20 + 4 + 4 + 5 + 4
    listed = subprocess.run([*MARMOT, "ledger", "--json"], env={**os.environ, "MARMOT_HOME": str(home.home)},
                            capture_output=True, text=True, check=True)
    records = json.loads(listed.stdout)
    assert len(records) == 8 and all(r["rows_in"] == r["rows_loaded"] + r["rows_rejected"] for r in records)


def test_two_processes_on_the_same_dataset_never_load_a_file_twice(home):
    n = 40
    for i in range(n):
        land(home.landing, "dwp", "claimant_count", f"c{i:02d}.csv",
             csv_bytes([claimant(j, month=f"{1980 + i}-01") for j in range(3)]))  # past periods
    outs = _finish([_start(home, "--partner", "dwp", "--dataset", "claimant_count") for _ in range(2)])
    counts = [int(o.split(" files")[0].split()[-1]) for o in outs]
    assert sum(counts) == n and min(counts) > 0, counts  # both worked, neither took a file twice
    entries = read_all(home.ledger, "dwp", "claimant_count")
    assert sorted(e.original_name for e in entries) == [f"c{i:02d}.csv" for i in range(n)]
    assert {e.status for e in entries} == {"accepted"}
    rows = duckdb.sql(f"select count(*), count(distinct month) "
                      f"from read_parquet('{home.raw}/dwp/claimant_count/2*.parquet')")
    assert rows.fetchone() == (3 * n, n)
    assert not list((home.landing / ".processing").glob("*"))


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_files_left_claimed_by_a_crashed_process_are_picked_up_again(home):
    host = socket.gethostname()
    crashed = home.landing / ".processing" / f"{host}-{_dead_pid()}-dead" / "dwp" / "claimant_count"
    busy = home.landing / ".processing" / f"{host}-{os.getpid()}-busy" / "dwp" / "claimant_count"
    data = csv_bytes([claimant(i) for i in range(3)])
    land(crashed.parent.parent, "dwp", "claimant_count", "left.csv", data)
    land(busy.parent.parent, "dwp", "claimant_count", "in-progress.csv", csv_bytes([claimant(9)]))
    # the crashed run had already written its batch but not its ledger record: an orphan
    import hashlib

    orphan = (home.raw / "dwp" / "claimant_count"
              / f"20250101T000000000000Z-{hashlib.sha256(data).hexdigest()[:12]}.parquet")
    orphan.parent.mkdir(parents=True)
    duckdb.sql(f"copy (select 1 as x) to '{orphan}' (format parquet)")
    [entry] = Ingestor(home).run()
    assert (entry.original_name, entry.status, entry.rows_loaded) == ("left.csv", "accepted", 3)
    assert not orphan.exists() and not crashed.parent.parent.exists()
    assert (busy / "in-progress.csv").exists()  # a live process's claim is left alone
