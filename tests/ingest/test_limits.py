"""Memory is bounded by the contract's limits, not by the bytes sent: a few kilobytes can declare
millions of rows or cells. Hostile files are ingested by a child process whose peak memory is measured."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import duckdb
import pytest
from conftest import TEST_KEY

from ingest.data import CLAIMANT_HEADER, claimant, csv_bytes, land
from ingest.test_bad_input import CENSUS_XLSX, parquet, with_dimension, xlsx
from marmot.contracts import Limits, load_contracts
from marmot.ingest.ingestor import Ingestor
from marmot.ingest.ledger import read_all

CENSUS = ("census", "households_2021")
MEASURE = ("import resource, subprocess, sys; subprocess.run([sys.executable, '-c', sys.argv[1]], check=True); "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")  # kB on Linux
INGEST = "from marmot.ingest.ingestor import Ingestor; from marmot.settings import paths; Ingestor(paths()).run()"
# A child ingesting a good four-row file peaks at about 150 MB here (Python, DuckDB, openpyxl, pandas); the
# hostile files took 1.07 GB (XLSX) and 4.6 GB (Parquet) before their sizes were checked. Reading them as
# small as they are, or refusing them, leaves at most this much above the good file's peak.
HEADROOM_MB = 60


def ingest_in_child(home) -> tuple[float, dict]:
    """Ingest what is landed in a child process: its peak resident memory in MB and the ledger entries by
    file name. A small launcher starts the ingest and reports ``RUSAGE_CHILDREN``: asked by the test process
    itself, the kernel would report the test process's own peak (a child started by vfork inherits it as its
    high-water mark at exec) and the largest of every child the session ever waited for."""
    env = {**os.environ, "MARMOT_HOME": str(home.home), "MARMOT_PSEUDONYM_KEY": TEST_KEY}
    run = subprocess.run([sys.executable, "-c", MEASURE, INGEST], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    return int(run.stdout.split()[-1]) / 1024, {e.original_name: e for e in read_all(home.ledger)}


def census_with_cell(cell: str) -> bytes:
    """The census workbook with one stray value at ``cell`` (which also makes the declared dimension reach it)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(CENSUS_XLSX))
    book["LSOA"][cell] = "x"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def five_million_rows(path) -> bytes:
    """A pupil census Parquet file of 5,000,000 rows: zstd and dictionaries make it a few dozen kilobytes."""
    duckdb.sql(f"COPY (SELECT '2024/25' AS academic_year, 'A' || lpad((i % 10)::VARCHAR, 11, '0') || 'B' AS upn, "
               f"'E01009522' AS lsoa21_code, 'primary' AS school_phase, true AS fsm_eligible, 'none' AS sen_status, "
               f"'Asian' AS ethnicity_group, 0 AS suspensions FROM range(5000000) t(i)) TO '{path}' "
               f"(FORMAT parquet, COMPRESSION zstd)")
    return path.read_bytes()


@pytest.fixture(scope="module")
def good_peak_mb(tmp_path_factory) -> float:
    """The child's peak for a good four-row census workbook: what any ingest costs."""
    from marmot.settings import Paths

    home = Paths(tmp_path_factory.mktemp("good") / "home")
    land(home.landing, *CENSUS, "good.xlsx", CENSUS_XLSX)
    peak, entries = ingest_in_child(home)
    assert entries["good.xlsx"].status == "accepted"
    return peak


def test_an_xlsx_declaring_16_million_cells_is_read_as_the_20_it_has(home, good_peak_mb):
    data = with_dimension(CENSUS_XLSX, "A1:OJ40000")  # 40,000 x 400
    assert len(data) < 8000
    land(home.landing, *CENSUS, "declared.xlsx", data)
    peak, entries = ingest_in_child(home)
    entry = entries["declared.xlsx"]
    assert (entry.status, entry.rows_in, entry.rows_loaded, entry.rows_rejected) == ("accepted", 4, 4, 0)
    assert peak < good_peak_mb + HEADROOM_MB, (peak, good_peak_mb)


@pytest.mark.parametrize("name, data, found", [
    ("stray_row.xlsx", census_with_cell("A1048576"),
     "has values down to row 1,048,576 of sheet 'LSOA', 1,048,575 rows below the header (blank rows between them "
     "count); this dataset takes at most 1,000,000 rows in one file."),
    ("stray_column.xlsx", census_with_cell("XFD3"),
     "has values in 16,384 columns of row 3 of sheet 'LSOA'; this dataset takes at most 200 columns in one file."),
    ("pupils.parquet", None,
     "holds 5,000,000 rows (its Parquet metadata); this dataset takes at most 1,000,000 rows in one file."),
], ids=["xlsx-value-in-the-last-row", "xlsx-value-in-the-last-column", "parquet-of-5-million-rows"])
def test_a_small_file_over_the_limits_is_quarantined_in_bounded_memory(home, tmp_path, good_peak_mb, name, data,
                                                                       found):
    data = data or five_million_rows(tmp_path / name)
    assert len(data) < 100_000
    where = ("schools", "pupil_census") if name.endswith(".parquet") else CENSUS
    land(home.landing, *where, name, data)
    peak, entries = ingest_in_child(home)
    [reason] = entries[name].reasons
    assert (entries[name].status, reason["code"], reason["message"]) == ("quarantined", "too_large", f"{name} {found}")
    assert "one file per period" in reason["fix"]
    assert peak < good_peak_mb + HEADROOM_MB, (peak, good_peak_mb)


def _with_limits(**limits) -> dict:
    contracts = load_contracts()
    return {k: c.model_copy(update={"limits": Limits(**limits)}) for k, c in contracts.items()}


@pytest.mark.parametrize("name, data, limits, found", [
    ("c.csv", csv_bytes([claimant(i) for i in range(4)], CLAIMANT_HEADER), {"max_rows": 3},
     "has more than 3 rows; this dataset takes at most 3 rows"),
    ("c.csv", csv_bytes([claimant(1)], [*CLAIMANT_HEADER, *(f"note {i}" for i in range(5))]), {"max_columns": 10},
     "has 11 columns; this dataset takes at most 10 columns"),
    ("c.csv", csv_bytes([claimant(i, claimants_18_24=str(i)) for i in range(30_000)], CLAIMANT_HEADER),
     {"max_uncompressed_mb": 1}, "is 2 MB; this dataset takes at most 1 MB"),
    ("c.xlsx", xlsx({"c": [CLAIMANT_HEADER, *([*claimant(i).values()] for i in range(4))]}), {"max_rows": 3},
     "has values down to row 5 of sheet 'c', 4 rows below the header (blank rows between them count); "
     "this dataset takes at most 3 rows"),
    ("c.parquet", parquet([claimant(i) for i in range(4)]), {"max_rows": 3},
     "holds 4 rows (its Parquet metadata); this dataset takes at most 3 rows"),
    ("c.ndjson", b"".join(b'{"month": "2025-04"}\n' for _ in range(4)), {"max_rows": 3},
     "has more than 3 rows; this dataset takes at most 3 rows"),
    ("c.ndjson", b'{"month": "2025-04", "a": 1, "b": 2}\n', {"max_columns": 2},
     "has 3 columns; this dataset takes at most 2 columns"),
], ids=["csv-rows", "csv-columns", "csv-megabytes", "xlsx-rows", "parquet-rows", "ndjson-rows", "ndjson-columns"])
def test_a_contract_sets_its_own_limits(home, name, data, limits, found):
    land(home.landing, "dwp", "claimant_count", name, data)
    contracts = _with_limits(**limits)
    contracts["dwp__claimant_count"] = contracts["dwp__claimant_count"].model_copy(
        update={"formats": ("csv", "xlsx", "parquet", "ndjson")})
    [entry] = Ingestor(home, contracts).run()
    assert entry.status == "quarantined" and [r["code"] for r in entry.reasons] == ["too_large"], entry.reasons
    assert entry.reasons[0]["message"] == f"{name} {found} in one file."  # the limit, and no setting's name


def test_exactly_at_the_limits_loads(home):
    land(home.landing, "dwp", "claimant_count", "c.csv", csv_bytes([claimant(i) for i in range(3)], CLAIMANT_HEADER))
    [entry] = Ingestor(home, _with_limits(max_rows=3, max_columns=6)).run()
    assert (entry.status, entry.rows_loaded) == ("accepted", 3)


def test_a_file_needing_more_memory_than_the_ingest_may_use_is_quarantined(home, monkeypatch):
    monkeypatch.setenv("MARMOT_INGEST_MEMORY_LIMIT", "20MB")
    land(home.landing, "dwp", "claimant_count", "c.csv",
         csv_bytes([claimant(i, claimants_18_24=str(i)) for i in range(300_000)], CLAIMANT_HEADER))
    [entry] = Ingestor(home).run()
    assert entry.status == "quarantined" and [r["code"] for r in entry.reasons] == ["too_large"], entry.reasons
    assert entry.reasons[0]["message"] == ("c.csv: checking it needed more than the 20MB of memory the check of one "
                                           "file may use.")
    assert not list(home.raw.glob("dwp/claimant_count/2*.parquet"))
