"""Ingest: contract checks, archive, ledger, receipts, rejects, quarantine, pseudonyms."""

from __future__ import annotations

import io
import json
import stat
import zipfile

import duckdb
import pytest
from conftest import EYFSP_HEADER, eyfsp_row, land_eyfsp

from marmot.ingest.ingestor import Ingestor
from marmot.ingest.ledger import read_all


def _ingest(home):
    return Ingestor(home).run()


def _raw_rows(home, batch_id):
    path = home.raw / "early_years" / "eyfsp" / f"{batch_id}.parquet"
    return duckdb.sql(f"select * from read_parquet('{path}') order by _source_row").fetchall(), path


def test_good_file_is_archived_loaded_recorded_and_receipted(home):
    landed = land_eyfsp(home, "eyfsp 2024-25.csv", [eyfsp_row(i) for i in range(3)])
    original = landed.read_bytes()
    [entry] = _ingest(home)
    assert (entry.status, entry.rows_in, entry.rows_loaded, entry.rows_rejected) == ("accepted", 3, 3, 0)
    assert entry.periods == ["2024/25"]
    archived = home.home / entry.archive_path
    assert archived.read_bytes() == original
    assert not archived.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert not landed.exists()
    rows, path = _raw_rows(home, entry.batch_id)
    columns = [c[0] for c in duckdb.sql(f"describe select * from read_parquet('{path}')").fetchall()]
    assert "upn" not in columns and "date_of_birth" not in columns
    assert {"pupil_key", "birth_month", "lsoa21_code", "gld"} <= set(columns)
    assert len(rows) == 3
    receipt = json.loads((home.receipts / "early_years" / "eyfsp" / f"{entry.batch_id}.json").read_text())
    assert receipt["status"] == "accepted" and receipt["rows_loaded"] == 3
    assert (home.home / entry.receipt_path).read_text().count("Accepted") >= 1
    assert [e.batch_id for e in read_all(home.ledger)] == [entry.batch_id]


def test_missing_required_column_quarantines_the_whole_file(home):
    header = [h for h in EYFSP_HEADER if h != "GLD"]
    rows = [[v for h, v in zip(EYFSP_HEADER, eyfsp_row(i), strict=False) if h != "GLD"] for i in range(4)]
    land_eyfsp(home, "no_gld.csv", rows, header=header)
    [entry] = _ingest(home)
    assert entry.status == "quarantined"
    assert entry.rows_loaded == 0 and entry.rows_in == entry.rows_rejected == 4
    [reason] = entry.reasons
    assert reason["code"] == "missing_required_column" and "gld" in reason["message"]
    assert reason["fix"]
    assert not (home.raw / "early_years" / "eyfsp").exists() or not list(
        (home.raw / "early_years" / "eyfsp").glob(f"{entry.batch_id}*"))
    assert (home.home / entry.archive_path).exists()


def test_bad_rows_are_rejected_with_row_column_value_and_reason(home):
    rows = [
        eyfsp_row(1),
        eyfsp_row(2, lsoa="E01000001"),            # row 3: not a Coventry LSOA
        eyfsp_row(3, lsoa="  e01009523 "),          # row 4: lowercase and padded: accepted
        eyfsp_row(4, gld="maybe"),                  # row 5: not a boolean
        eyfsp_row(5, Gender=""),                    # row 6: required value missing
        eyfsp_row(6, DOB="31/02/2019"),             # row 7: impossible date
        eyfsp_row(7, Ethnicity="white"),            # row 8: case of an allowed value: accepted
    ]
    land_eyfsp(home, "mixed.csv", rows)
    [entry] = _ingest(home)
    assert entry.status == "accepted_with_warnings"
    assert (entry.rows_in, entry.rows_loaded, entry.rows_rejected) == (7, 3, 4)
    rejects = duckdb.sql(
        f"select row_number, column_name, value, code from read_parquet('{home.rejects}/early_years/eyfsp/*.parquet') "
        "order by row_number").fetchall()
    assert rejects == [
        (3, "lsoa21_code", "E01000001", "not_in_reference"),
        (5, "gld", "maybe", "not_a_boolean"),
        (6, "sex", None, "missing_value"),
        (7, "date_of_birth", "[personal data withheld]", "not_a_date"),
    ]
    loaded, _ = _raw_rows(home, entry.batch_id)
    assert [r[3] for r in loaded] == ["E01009522", "E01009523", "E01009522"]
    assert {r[5] for r in loaded} == {"White"}
    assert any("row 3" in r["message"] for r in entry.reasons)


def test_same_content_twice_is_not_loaded_twice(home):
    rows = [eyfsp_row(i) for i in range(5)]
    land_eyfsp(home, "a.csv", rows)
    [first] = _ingest(home)
    land_eyfsp(home, "a copy.csv", rows)
    [second] = _ingest(home)
    assert first.status == "accepted" and second.status == "duplicate"
    assert second.rows_loaded == 0
    assert len(list((home.raw / "early_years" / "eyfsp").glob("*.parquet"))) == 1
    assert (home.home / second.archive_path).exists()


def test_resent_period_supersedes_the_earlier_batch(home):
    land_eyfsp(home, "v1.csv", [eyfsp_row(i) for i in range(3)])
    [v1] = _ingest(home)
    land_eyfsp(home, "v2.csv", [eyfsp_row(i) for i in range(4)])
    [v2] = _ingest(home)
    ledger = {e.batch_id: e for e in read_all(home.ledger)}
    assert ledger[v1.batch_id].status == "superseded"
    assert ledger[v1.batch_id].superseded_by == v2.batch_id
    assert ledger[v2.batch_id].status == "accepted"


def test_a_period_whose_rows_were_all_rejected_supersedes_nothing(home):
    land_eyfsp(home, "2023-24.csv", [eyfsp_row(i, year="2023/24") for i in range(3)])
    [v1] = _ingest(home)
    # the only 2023/24 pupil of the second file fails a check, and their second row repeats the key
    land_eyfsp(home, "mixed.csv", [eyfsp_row(1, year="2024/25"), eyfsp_row(5, year="2023/24", lsoa="XX"),
                                   eyfsp_row(5, year="2023/24")])
    [mixed] = _ingest(home)
    assert (mixed.rows_loaded, mixed.rows_rejected) == (1, 2)
    assert mixed.periods == ["2024/25"]
    assert {e.batch_id: e for e in read_all(home.ledger)}[v1.batch_id].status == "accepted"


@pytest.mark.parametrize("where, content, code", [
    (("early_years", "eyfsp", "empty.csv"), b"", "empty_file"),
    (("early_years", "eyfsp", "header.csv"), (",".join(EYFSP_HEADER) + "\r\n").encode(), "no_data_rows"),
    (("early_years", "eyfsp", "binary.csv"), b"\x00\x01\x02binary\x00" * 10, "binary_file"),
    (("early_years", "eyfsp", "report.pdf"), b"%PDF-1.4", "unsupported_format"),
    (("housing", "unknown_dataset", "x.csv"), b"a,b\n1,2\n", "unknown_dataset"),
    (("early_years", "loose.csv"), b"a,b\n1,2\n", "not_in_dataset_folder"),
])
def test_file_level_problems_quarantine_and_the_run_goes_on(home, where, content, code):
    bad = home.landing.joinpath(*where)
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(content)
    land_eyfsp(home, "good.csv", [eyfsp_row(1)])
    entries = {e.original_name: e for e in _ingest(home)}
    assert entries[where[-1]].status == "quarantined"
    assert [r["code"] for r in entries[where[-1]].reasons] == [code]
    assert entries["good.csv"].status == "accepted"
    assert (home.home / entries[where[-1]].archive_path).read_bytes() == content


def test_zip_named_csv_is_quarantined(home):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("eyfsp.csv", "a,b\n1,2\n")
    path = home.landing / "early_years" / "eyfsp" / "eyfsp.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(buf.getvalue())
    [entry] = _ingest(home)
    assert entry.status == "quarantined" and entry.reasons[0]["code"] == "archive_file"


def test_cp1252_semicolons_crlf_and_bom_are_read(home):
    rows = [eyfsp_row(i, Ethnicity="Other") for i in range(3)]
    land_eyfsp(home, "excel.csv", rows, encoding="cp1252", delimiter=";", lineterminator="\r\n")
    # a cp1252 '£' in an extra column must not break decoding
    path = home.landing / "early_years" / "eyfsp" / "excel.csv"
    text = path.read_bytes().replace(b"Academic Year\r\n", b"Academic Year;Cost\r\n").replace(
        b"2024/25\r\n", b"2024/25;\xa35\r\n")
    path.write_bytes(text)
    land_eyfsp(home, "bom.csv", [eyfsp_row(9, year="2023/24")], encoding="utf-8-sig")
    entries = {e.original_name: e for e in _ingest(home)}
    assert entries["excel.csv"].rows_loaded == 3
    assert entries["excel.csv"].status == "accepted_with_warnings"  # the extra column is reported
    assert [r["code"] for r in entries["excel.csv"].reasons] == ["extra_column"]
    assert entries["bom.csv"].status == "accepted" and entries["bom.csv"].rows_loaded == 1


def test_missing_pseudonym_key_is_a_clear_error_and_leaves_the_file(home, monkeypatch):
    monkeypatch.delenv("MARMOT_PSEUDONYM_KEY")
    landed = land_eyfsp(home, "a.csv", [eyfsp_row(1)])
    with pytest.raises(RuntimeError, match="MARMOT_PSEUDONYM_KEY is not set"):
        Ingestor(home)
    assert landed.exists()


def test_direct_identifiers_never_reach_warehouse_ledger_or_receipts(home):
    canaries = ["Z987654321098", "Z123123123123"]
    rows = [eyfsp_row(0, UPN=canaries[0]), eyfsp_row(1, UPN=canaries[1], gld="bad")]
    land_eyfsp(home, "canary.csv", rows)
    [entry] = _ingest(home)
    assert entry.rows_loaded == 1 and entry.rows_rejected == 1
    checked = 0
    for path in home.home.rglob("*"):
        if path.is_file() and home.archive not in path.parents:
            data = path.read_bytes()
            checked += 1
            for canary in canaries:
                assert canary.encode() not in data, f"{canary} found in {path}"
    assert checked >= 4  # raw parquet, rejects parquet, ledger json, receipts
