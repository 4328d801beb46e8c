"""Table-driven: every kind of file partners really send gets the right status and reason codes,
and the run goes on (a good file landed beside each one still loads)."""

from __future__ import annotations

import codecs
import io
import json
import zipfile

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import EYFSP_HEADER, eyfsp_row, land_eyfsp

from ingest.data import (
    BIRTHS_HEADER,
    CLAIMANT_HEADER,
    LSOAS,
    birth,
    case_study,
    claimant,
    crime,
    csv_bytes,
    land,
    nhs_number,
)
from marmot.ingest.ingestor import Ingestor

BIRTHS = ("maternity", "births")
CLAIMANTS = ("dwp", "claimant_count")
CASES = ("partnership", "case_studies")


def births(rows=None, **kw) -> bytes:
    return csv_bytes(rows or [birth(i) for i in range(3)], BIRTHS_HEADER, **kw)


def claimants(*rows: dict, header=CLAIMANT_HEADER) -> bytes:
    return csv_bytes(list(rows) or [claimant(i) for i in range(3)], header)


def eyfsp(*rows) -> bytes:
    buf = io.StringIO()
    import csv
    w = csv.writer(buf)
    w.writerow(EYFSP_HEADER)
    w.writerows(rows)
    return buf.getvalue().encode()


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with every sheet's declared ``<dimension ref>`` replaced (the cells stay as they are)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                start = body.index(b'<dimension ref="') + len(b'<dimension ref="')
                body = body[:start] + ref.encode() + body[body.index(b'"', start):]
            dst.writestr(item, body)
    return out.getvalue()


def with_formatted_rows(data: bytes, sheet: str, down_to: int) -> bytes:
    """The workbook with formatted but empty cells below the data, down to row ``down_to`` (as a partner's
    template leaves them)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[sheet]
    for row in range(ws.max_row + 1, down_to + 1):
        ws.cell(row=row, column=1).number_format = "0.0"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


CENSUS_HEADER = ["Year", "LSOA Code", "Households", "Overcrowded households", "Residents 16 plus",
                 "No qualifications"]
CENSUS_ROWS = [[2021, lsoa, 600, 40, 1200, 250] for lsoa in LSOAS]
NOTES = [["About this workbook"], ["Source: Census 2021, table TS052"]]


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("births.csv", births())
    return buf.getvalue()


def parquet(rows: list[dict]) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    return buf.getvalue()


PUPILS = [{"academic_year": "2024/25", "upn": f"A{i:011d}B", "lsoa21_code": LSOAS[i % 4], "school_phase": "primary",
           "fsm_eligible": i % 2 == 0, "sen_status": "none", "ethnicity_group": "Asian", "suspensions": 0}
          for i in range(5)]
NCMP = [{"academic_year": "2024/25", "child_id": f"C{i:05d}", "sex": "mf"[i % 2], "lsoa21_code": LSOAS[i % 4],
         "school_year": "R", "ethnicity_group": "Black", "bmi_category": "healthy"} for i in range(4)]
TRUNCATED = births([birth(i) for i in range(4)])[:-30]
CENSUS_XLSX = xlsx({"LSOA": [CENSUS_HEADER, *CENSUS_ROWS]})
WEB_PAGE = (b"\n<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\n"
            b"<title>\n  502 Bad Gateway\n</title></head>\n"
            b"<body><h1>502 Bad Gateway</h1><p>The server did not answer in time.</p></body>\n</html>\n")
TITLE_LINES = b"Claimant count by LSOA\r\nCoventry, April 2025\r\n,,,\r\n"

# id, (partner, dataset), file name, bytes, status, reason codes, (rows in, loaded, rejected) or None
TABLE = [
    ("utf8-bom", BIRTHS, "b.csv", births(encoding="utf-8-sig"), "accepted", [], (3, 3, 0)),
    ("crlf", BIRTHS, "b.csv", births(lineterminator="\r\n"), "accepted", [], (3, 3, 0)),
    ("lf", BIRTHS, "b.csv", births(lineterminator="\n"), "accepted", [], (3, 3, 0)),
    ("semicolon", BIRTHS, "b.csv", births(delimiter=";"), "accepted", [], (3, 3, 0)),
    ("tab", BIRTHS, "b.tsv", births(delimiter="\t"), "accepted", [], (3, 3, 0)),
    ("pipe", BIRTHS, "b.txt", births(delimiter="|"), "accepted", [], (3, 3, 0)),
    ("cp1252-pound", CASES, "c.csv", csv_bytes([case_study(1, summary="Saved £5 a week; café")], encoding="cp1252"),
     "accepted", [], (1, 1, 0)),
    ("header-case-spacing-aliases", BIRTHS, "b.csv",
     csv_bytes([birth(1)], BIRTHS_HEADER).replace(b"NHS Number,", b"  Mother_NHS-No ,")
     .replace(b"Mother Age", b"MATERNAL-AGE"),
     "accepted", [], (1, 1, 0)),
    ("shuffled-and-extra-columns", CLAIMANTS, "c.csv",
     claimants(claimant(1), header=["Notes", *reversed(CLAIMANT_HEADER)]), "accepted_with_warnings",
     ["extra_column"], (1, 1, 0)),
    ("missing-required-column", CLAIMANTS, "c.csv", claimants(claimant(1), header=CLAIMANT_HEADER[:-1]),
     "quarantined", ["missing_required_column"], (1, 0, 1)),
    ("dd-mm-yyyy-dates", ("early_years", "eyfsp"), "e.csv", eyfsp(eyfsp_row(1, DOB="05/11/2019")),
     "accepted", [], (1, 1, 0)),
    ("future-date", ("early_years", "eyfsp"), "e.csv", eyfsp(eyfsp_row(1), eyfsp_row(2, DOB="01/01/2099")),
     "accepted_with_warnings", ["future_date"], (2, 1, 1)),
    ("utf16-tab-excel-unicode-text", BIRTHS, "b.txt", births(encoding="utf-16", delimiter="\t"), "accepted", [],
     (3, 3, 0)),
    ("utf16-big-endian-csv", BIRTHS, "b.csv", codecs.BOM_UTF16_BE + births(encoding="utf-16-be"), "accepted", [],
     (3, 3, 0)),
    ("csv-title-lines-above-the-header", CLAIMANTS, "c.csv", TITLE_LINES + claimants(claimant(0), claimant(1)),
     "accepted", [], (2, 2, 0)),
    ("bracketed-sql-server-header", CLAIMANTS, "c.csv",
     claimants(claimant(0)).replace(b"month,lsoa21_code", b"[month],[lsoa21_code]"), "accepted", [], (1, 1, 0)),
    ("html-error-page-named-csv", BIRTHS, "b.csv", WEB_PAGE, "quarantined", ["web_page"], None),
    ("html-error-page-named-json", ("public_health", "ncmp"), "ncmp.json", WEB_PAGE, "quarantined", ["web_page"],
     None),
    ("json-error-named-csv", BIRTHS, "b.csv", b'{"error": "session expired", "status": 401}', "quarantined",
     ["json_document"], None),
    ("json-records-named-csv", BIRTHS, "b.csv", json.dumps([birth(1), birth(2)]).encode(), "quarantined",
     ["json_document"], None),
    ("zero-bytes", BIRTHS, "b.csv", b"", "quarantined", ["empty_file"], (0, 0, 0)),
    ("header-only", BIRTHS, "b.csv", births()[:births().index(b"\r\n") + 2], "quarantined", ["no_data_rows"], None),
    ("truncated-last-line", BIRTHS, "b.csv", TRUNCATED, "accepted_with_warnings", ["missing_value", "not_allowed"],
     (4, 3, 1)),
    ("duplicate-key-rows", BIRTHS, "b.csv", births([birth(1), birth(2), birth(1), birth(1)]),
     "accepted_with_warnings", ["duplicate_key"], (4, 2, 2)),
    ("suppression-markers", CLAIMANTS, "c.csv",
     claimants(claimant(0), claimant(1, claimants="*"), claimant(2, claimants_18_24="<5"), claimant(3, claimants="c")),
     "accepted_with_warnings", ["suppressed_value"], (4, 1, 3)),
    ("negative-counts", CLAIMANTS, "c.csv", claimants(claimant(0), claimant(1, claimants="-3")),
     "accepted_with_warnings", ["out_of_range"], (2, 1, 1)),
    ("text-in-counts", CLAIMANTS, "c.csv", claimants(claimant(0), claimant(1, claimants="forty")),
     "accepted_with_warnings", ["not_a_number"], (2, 1, 1)),
    ("lowercase-padded-lsoa", CLAIMANTS, "c.csv", claimants(claimant(0, lsoa21_code="  e01009522 ")),
     "accepted", [], (1, 1, 0)),
    ("lsoa-outside-city", CLAIMANTS, "c.csv", claimants(claimant(0), claimant(1, lsoa21_code="E01000001")),
     "accepted_with_warnings", ["not_in_reference"], (2, 1, 1)),
    ("invalid-nhs-numbers", BIRTHS, "b.csv",
     births([birth(1), birth(2, **{"NHS Number": nhs_number(2)[:9] + str((int(nhs_number(2)[9]) + 1) % 10)}),
             birth(3, **{"NHS Number": "12345"})]),
     "accepted_with_warnings", ["bad_check_digit", "bad_pattern"], (3, 1, 2)),
    ("one-megabyte-text-field", CASES, "c.csv", csv_bytes([case_study(1, summary="x" * 1_000_000), case_study(2)]),
     "accepted", [], (2, 2, 0)),
    ("quoted-newlines", CASES, "c.csv",
     csv_bytes([case_study(1, summary="line one\r\nline two\nthree"), case_study(2)]),
     "accepted", [], (2, 2, 0)),
    ("formula-like-cells", CASES, "c.csv",
     csv_bytes([case_study(1, summary="=HYPERLINK(\"http://x\")", outcome="@SUM(A1)", ward="+44"),
                case_study(2, summary="-2+3")]),
     "accepted_with_warnings", ["formula_like_text"], (2, 2, 0)),
    ("binary-named-csv", BIRTHS, "b.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 20,
     "quarantined", ["binary_file"], None),
    ("zip-named-csv", BIRTHS, "b.csv", zip_bytes(), "quarantined", ["archive_file"], None),
    ("zip-named-zip", BIRTHS, "b.zip", zip_bytes(), "quarantined", ["unsupported_format"], None),
    ("xlsx-title-row-and-notes-sheet", ("census", "households_2021"), "census.xlsx",
     xlsx({"Notes": NOTES, "LSOA": [["Census 2021: households by LSOA"], [], CENSUS_HEADER, *CENSUS_ROWS]}),
     "accepted", [], (4, 4, 0)),
    ("xlsx-formatted-empty-rows-below-the-data", ("census", "households_2021"), "census.xlsx",
     with_formatted_rows(CENSUS_XLSX, "LSOA", 60), "accepted", [], (4, 4, 0)),
    ("xlsx-understated-dimension", ("census", "households_2021"), "census.xlsx", with_dimension(CENSUS_XLSX, "A1:F2"),
     "accepted", [], (4, 4, 0)),
    ("xlsx-without-the-named-sheet", ("census", "households_2021"), "census.xlsx",
     xlsx({"Notes": NOTES, "Sheet1": [CENSUS_HEADER, *CENSUS_ROWS]}), "quarantined", ["missing_sheet"], None),
    ("parquet", ("schools", "pupil_census"), "pupils.parquet", parquet(PUPILS), "accepted", [], (5, 5, 0)),
    ("json-array", ("public_health", "ncmp"), "ncmp.json", json.dumps(NCMP).encode(), "accepted", [], (4, 4, 0)),
    ("ndjson", ("police", "recorded_crime"), "crime.ndjson",
     "".join(json.dumps(crime(i)) + "\n" for i in range(3)).encode(), "accepted", [], (3, 3, 0)),
    ("bad-json", ("public_health", "ncmp"), "ncmp.json", b'[{"academic_year": "2024/25", ', "quarantined",
     ["unreadable"], None),
    ("name-with-spaces-and-unicode", BIRTHS, "Births – März 2025 (final).csv", births(), "accepted", [], (3, 3, 0)),
    ("dot-dot-like-name", BIRTHS, "..%2F..%2Fetc..passwd .csv", births(), "accepted", [], (3, 3, 0)),
    ("backslash-dot-dot-name", BIRTHS, "..\\..\\evil.csv", births(), "accepted", [], (3, 3, 0)),
    ("unknown-partner", ("nobody", "births"), "b.csv", births(), "quarantined", ["unknown_partner"], None),
    ("unknown-dataset", ("maternity", "deaths"), "b.csv", births(), "quarantined", ["unknown_dataset"], None),
    ("wrong-partners-area", ("police", "recorded_crime"), "c.csv", claimants(), "quarantined",
     ["wrong_dataset_folder"], None),
]


@pytest.mark.parametrize("where, name, data, status, codes, rows", [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_file_gets_the_right_status_and_reasons(home, where, name, data, status, codes, rows):
    bad = land(home.landing, *where, name, data)
    land_eyfsp(home, "good.csv", [eyfsp_row(99, year="2019/20")])  # another period: supersedes nothing
    entries = {(e.partner, e.original_name): e for e in Ingestor(home).run()}
    entry = entries[(where[0], name)]
    assert entry.status == status, entry.reasons
    assert sorted({r["code"] for r in entry.reasons}) == codes, entry.reasons
    assert all(r["message"] and r["fix"] for r in entry.reasons)
    if rows:
        assert (entry.rows_in, entry.rows_loaded, entry.rows_rejected) == rows
    assert entry.rows_in == entry.rows_loaded + entry.rows_rejected
    archived = home.home / entry.archive_path
    assert archived.read_bytes() == data and home.archive in archived.resolve().parents
    assert not bad.exists()
    assert entries[("early_years", "good.csv")].status == "accepted"  # the run went on
    receipt = json.loads((home.home / entry.receipt_path).with_suffix(".json").read_text())
    assert receipt["status"] == status


def _loaded(home, partner, dataset, column):
    return [r[0] for r in duckdb.sql(
        f"select {column} from read_parquet('{home.raw}/{partner}/{dataset}/2*.parquet') "
        "order by _batch_id, _source_row").fetchall()]  # batch ids sort by when received; rows tie across files


def test_text_survives_exactly(home):
    """cp1252 £, a 1 MB field, quoted newlines and formula-like cells arrive as the partner wrote them."""
    land(home.landing, *CASES, "a.csv", csv_bytes([case_study(1, summary="£5 a week")], encoding="cp1252"))
    land(home.landing, *CASES, "b.csv", csv_bytes([
        case_study(2, summary="x" * 1_000_000), case_study(3, summary="line one\r\nline two"),
        case_study(4, summary="=1+2", outcome="@SUM(A1)")]))
    Ingestor(home).run()
    assert _loaded(home, *CASES, "summary") == ["£5 a week", "x" * 1_000_000, "line one\r\nline two", "=1+2"]
    assert "@SUM(A1)" in _loaded(home, *CASES, "outcome")


def test_same_file_twice_and_rerun_never_duplicate_rows(home):
    data = births()
    land(home.landing, *BIRTHS, "b.csv", data)
    [first] = Ingestor(home).run()
    assert Ingestor(home).run() == []  # nothing waiting: a re-run does nothing
    land(home.landing, *BIRTHS, "b.csv", data)  # the very same file sent again
    [again] = Ingestor(home).run()
    assert (first.status, again.status) == ("accepted", "duplicate")
    assert [r["code"] for r in again.reasons] == ["duplicate_file"]
    assert len(_loaded(home, *BIRTHS, "mother_key")) == 3


def test_html_receipt_explains_problems_and_is_safe_to_send(home):
    name = "<img src=x onerror=alert(1)> births.csv"
    land(home.landing, *CLAIMANTS, name,
         claimants(claimant(0), claimant(1, claimants="*"), claimant(2, claimants="*"),
                   claimant(3, lsoa21_code="E01000001")))
    [entry] = Ingestor(home).run()
    html = (home.home / entry.receipt_path).read_text()
    assert "<img" not in html and "&lt;img src=x" in html
    assert "Claimant count by LSOA" in html and "stat.xplore@dwp.example" in html
    assert "is a suppression marker" in html and "e.g. row 3, 4" in html
    assert "Send the actual count" in html and "is not one of Coventry&#39;s 2021 LSOAs" in html
    assert "What happens next" in html and "2025-04" in html


@pytest.mark.parametrize("data, message", [
    (WEB_PAGE, "b.csv looks like a web page titled '502 Bad Gateway', not a CSV export: often an error or sign-in "
               "page saved in place of the download."),
    (b'\xef\xbb\xbf [{"Month": "2025-04"}]', "b.csv holds a JSON document (it begins with '['), not CSV: it was "
                                               "saved or renamed as .csv."),
], ids=["web-page", "json"])
def test_a_file_that_is_no_csv_is_named_for_what_it_is(home, data, message):
    land(home.landing, *BIRTHS, "b.csv", data)
    [entry] = Ingestor(home).run()
    assert [r["message"] for r in entry.reasons] == [message]


def test_rows_below_title_lines_keep_their_numbers_in_the_file(home):
    """The header is found on row 4 (below a title, a subtitle and an empty line); row 6 is the bad one."""
    land(home.landing, *CLAIMANTS, "c.csv", TITLE_LINES + claimants(claimant(0), claimant(1, claimants="forty")))
    [entry] = Ingestor(home).run()
    assert [(r["code"], r["example_rows"]) for r in entry.reasons] == [("not_a_number", [6])]
    assert _loaded(home, *CLAIMANTS, "_source_row") == [5]


def test_utf16_text_survives_exactly(home):
    land(home.landing, *CASES, "c.txt",
         csv_bytes([case_study(1, summary="Saved £5 a week; café – “quoted”")], delimiter="\t", encoding="utf-16"))
    [entry] = Ingestor(home).run()
    assert entry.status == "accepted", entry.reasons
    assert _loaded(home, *CASES, "summary") == ["Saved £5 a week; café – “quoted”"]
