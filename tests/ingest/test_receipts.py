"""Receipts a partner's data officer can act on without calling anyone: every problem in plain words (no regular
expression, no internal reference-list name), naming the row, column and value found with what to do; a row with
several problems counted once; a CSV of the rejected rows; what a restatement replaces and a sharp drop."""

from __future__ import annotations

import csv
import html as markup
import io
import json
import re

import pytest
from conftest import eyfsp_row, land_eyfsp

from ingest.data import BIRTHS_HEADER, CLAIMANT_HEADER, birth, claimant, csv_bytes, land, nhs_number
from marmot.contracts import load_contracts, wording
from marmot.ingest.ingestor import Ingestor, reference_codes
from marmot.ingest.problems import FIXES

CONTRACTS = load_contracts()
LSOAS = reference_codes()["coventry_lsoa21"]
# what a regular expression looks like in a sentence, and the internal names of reference lists
REGEX = re.compile(r"\^|\$|\[0-9\]|\\d|\[A-Z\]|\{[0-9]+\}|\(\?")
INTERNAL = [*reference_codes(), "ref_coventry", "regexp", "MARMOT_", "limits.", "schedule."]  # and settings' names
BAD_NHS = nhs_number(2)[:9] + str((int(nhs_number(2)[9]) + 1) % 10)

BIRTH_ROWS = [
    birth(0),
    birth(1, **{"LSOA": "E0100952X"}),                            # row 3: not an LSOA code (one problem, not two)
    birth(2, **{"LSOA": "E01000001"}),                            # row 4: an LSOA outside Coventry
    birth(3, **{"Mother Age": "abc", "Outcome": "alive"}),        # row 5: two problems, one rejected row
    birth(4, **{"Gestation": "80"}),                              # row 6: out of range
    birth(5, **{"NHS Number": BAD_NHS}),                          # row 7: check digit
    birth(6, **{"Birth Weight": "*"}),                            # row 8: suppressed
    birth(7, **{"Month": "April 2025"}),                          # row 9: period not in form
    birth(8, **{"SATOD": "maybe"}),                               # row 10: allowed values (Y/N as text)
    birth(9, **{"Outcome": ""}),                                  # row 11: missing
    birth(0),                                                     # row 12: repeats row 2
    birth(10, **{"Gestation": "=1+2"}),                           # row 13: a formula, quoted in the CSV
]
FILES = {  # name: (partner, dataset, bytes)
    "births.csv": ("maternity", "births", csv_bytes(BIRTH_ROWS, BIRTHS_HEADER)),
    "no lsoa.csv": ("dwp", "claimant_count",
                    csv_bytes([claimant(0)], [h for h in CLAIMANT_HEADER if h != "lsoa21_code"])),
    "empty.csv": ("dwp", "claimant_count", b""),
    "page.csv": ("dwp", "claimant_count", b"<!doctype html><html><title>Sign in</title></html>"),
    "data.zip": ("dwp", "claimant_count", b"PK\x03\x04 not really"),
    "future.csv": ("dwp", "claimant_count", csv_bytes([claimant(0, month="2091-04")], CLAIMANT_HEADER)),
}


def _every_text(entry, home) -> tuple[dict, str, str]:
    receipt = home.home / entry.receipt_path
    data = json.loads(receipt.with_suffix(".json").read_text())
    rows_csv = (receipt.parent / data["rejected_rows_csv"]).read_text(encoding="utf-8-sig") \
        if data["rejected_rows_csv"] else ""
    return data, markup.unescape(receipt.read_text()), rows_csv


@pytest.fixture
def receipts(home):
    for name, (partner, dataset, data) in FILES.items():
        land(home.landing, partner, dataset, name, data)
    land_eyfsp(home, "eyfsp.csv", [eyfsp_row(1), eyfsp_row(2, DOB="31/02/2019", GLD="perhaps"),
                                   eyfsp_row(3, DOB="01/01/2099")])
    entries = {e.original_name: e for e in Ingestor(home).run()}
    return {name: (entry, *_every_text(entry, home)) for name, entry in entries.items()}


def test_no_receipt_quotes_a_pattern_or_an_internal_list_name(receipts):
    for name, (_, data, html, rows_csv) in receipts.items():
        texts = [r.get(k) or "" for r in data["reasons"] + data["rejected_rows"]
                 for k in ("message", "action", "fix", "expected", "problem", "title")]
        texts += [data["summary"], html, rows_csv]
        for text in texts:
            assert not REGEX.search(text), (name, REGEX.search(text), text)
            assert not [n for n in INTERNAL if n in text], (name, text)


def test_every_problem_names_row_column_value_and_what_to_do(receipts):
    _, data, html, rows_csv = receipts["births.csv"]
    for r in data["rejected_rows"]:
        assert r["row"] and r["column_in_file"] and r["action"] and r["expected"] and r["code"], r
        assert r["message"].startswith(f"Row {r['row']}, column '{r['column_in_file']}'" if r["code"] != "duplicate_key"
                                       else f"Row {r['row']} repeats an earlier row of this file: the same 'NHS"), r
        assert r["value"] is None or r["value"] in r["message"], r
    keys = {"code", "column", "column_in_file", "title", "level", "message", "expected", "action", "fix"}
    assert all(keys <= set(reason) for reason in data["reasons"])  # what the partner portal reads
    assert all({"row", "column", "column_in_file", "value", "code", "title", "problem", "expected", "action",
                "message"} <= set(r) for r in data["rejected_rows"])
    for reason in data["reasons"]:
        assert reason["level"] == "row" and reason["action"] and reason["fix"] == reason["action"]
        assert reason["title"] and reason["column_in_file"] and reason["example_rows"]
        assert re.search(r"e\.g\. row [0-9]", reason["message"]), reason
    by_row = {(r["row"], r["code"]): r for r in data["rejected_rows"]}
    lsoa = by_row[(3, "bad_pattern")]
    assert (lsoa["column_in_file"], lsoa["value"]) == ("LSOA", "E0100952X")
    assert "LSOA" in lsoa["message"] and "a value like E01009522: E01 followed by six digits" in lsoa["message"]
    assert (4, "not_in_reference") in by_row and "is not one of Coventry's 2021 LSOAs" in by_row[
        (4, "not_in_reference")]["message"]
    assert "between 20 and 45" in by_row[(6, "out_of_range")]["expected"]
    nhs = by_row[(7, "bad_check_digit")]
    assert nhs["value"] is None and BAD_NHS not in html + rows_csv + json.dumps(data)  # personal data withheld
    assert "check digit" in nhs["message"] and "value not shown" in nhs["message"]
    assert "2025-04" in by_row[(9, "bad_pattern")]["expected"]
    assert "one of: live, stillbirth" in by_row[(5, "not_allowed")]["expected"]
    assert "Send the actual count" in by_row[(8, "suppressed_value")]["action"]
    assert by_row[(12, "duplicate_key")]["value"] == "same as row 2"
    # the CSV beside the receipt: every problem, with row, column, value, problem and what to do
    table = list(csv.DictReader(io.StringIO(rows_csv)))
    assert len(table) == data["counts"]["problems"] == len(data["rejected_rows"])
    assert set(table[0]) >= {"Row", "Column", "Value found", "Problem", "What to do"}
    assert {"3": "E0100952X", "13": "'=1+2"}.items() <= {t["Row"]: t["Value found"] for t in table}.items()
    assert "Download every rejected row as CSV" in html and data["rejected_rows_csv"] in html
    assert "counting the header line as row 1" in html


def test_a_row_with_two_problems_is_one_rejected_row(receipts):
    entry, data, html, _ = receipts["births.csv"]
    assert sorted(r["code"] for r in data["rejected_rows"] if r["row"] == 5) == ["not_a_number", "not_allowed"]
    assert not [r for r in data["rejected_rows"] if r["row"] == 3 and r["code"] == "not_in_reference"]
    rows = {r["row"] for r in data["rejected_rows"]}
    assert (entry.rows_in, entry.rows_loaded, entry.rows_rejected) == (12, 1, 11) == (
        data["counts"]["received"], data["counts"]["accepted"], data["counts"]["rejected"])
    assert len(rows) == 11 and data["counts"]["problems"] == 12
    assert data["summary"].startswith("12 rows received, 1 accepted, 11 rejected (with 12 problems")
    assert data["summary"] in html


def test_dates_and_yes_no_values_are_said_in_words(receipts):
    _, data, _, _ = receipts["eyfsp.csv"]
    by_code = {r["code"]: r for r in data["rejected_rows"]}
    assert "in the form 2025-04-30 or 30/04/2025" in by_code["not_a_date"]["expected"]
    assert by_code["not_a_date"]["value"] is None  # date of birth: personal
    assert "Y or N" in by_code["not_a_boolean"]["expected"] and by_code["not_a_boolean"]["value"] == "perhaps"
    assert "future_date" in by_code and by_code["future_date"]["row"] == 4


@pytest.mark.parametrize("name, code, words", [
    ("no lsoa.csv", "missing_required_column", "lsoa21_code"),
    ("empty.csv", "empty_file", "Export the extract again"),
    ("page.csv", "web_page", "Download or export the extract again"),
    ("data.zip", "unsupported_format", "Save the extract as CSV"),
    ("future.csv", "future_period", "often a mistyped year"),
])
def test_file_problems_say_what_happened_and_what_to_do(receipts, name, code, words):
    entry, data, html, _ = receipts[name]
    assert entry.status == "quarantined" and data["summary"].endswith(".")
    [reason] = data["reasons"]
    assert reason["code"] == code and reason["level"] == "file" and reason["message"] and reason["action"]
    assert words in reason["message"] + reason["action"]
    assert reason["action"] in html and "What stopped the file" in html


def test_every_pattern_in_a_contract_is_described_in_words():
    for contract in CONTRACTS.values():
        for col in contract.columns:
            if col.pattern:
                assert col.pattern_description and col.example, (contract.id, col.name)
                assert re.fullmatch(col.pattern, col.example), (contract.id, col.name)
                assert not REGEX.search(col.pattern_description), (contract.id, col.name)
            for code in ("missing_value", "not_a_number", "not_allowed", "bad_pattern", "not_in_reference",
                         "out_of_range", "not_a_date", "bad_check_digit"):
                w = wording.check(code, col, contract, col.name, bound="maximum")
                for text in (w.problem, w.expected, w.action):
                    assert not REGEX.search(text) and not [n for n in INTERNAL if n in text], (col.name, text)
    assert all(code in wording.TITLES for code in FIXES)


def _april(home, name: str, rows: int):
    land(home.landing, "dwp", "claimant_count", name,
         csv_bytes([claimant(0, lsoa21_code=LSOAS[i]) for i in range(rows)], CLAIMANT_HEADER))
    [entry] = Ingestor(home).run()
    return entry, json.loads((home.home / entry.receipt_path).with_suffix(".json").read_text()), \
        markup.unescape((home.home / entry.receipt_path).read_text())


def test_a_restatement_says_what_it_replaces_and_warns_of_a_sharp_drop(home):
    first, data, _ = _april(home, "april.csv", 40)
    assert data["restatement"] is None
    again, data, html = _april(home, "april again.csv", 36)  # 10 % fewer: no warning
    restated = data["restatement"]
    assert [o["batch_id"] for o in restated["replaces"]] == [first.batch_id] and not restated["drop_warning"]
    assert restated["message"].startswith(f"This file restates 2025-04: it replaces batch {first.batch_id} "
                                          f"('april.csv', received {first.received_at[:10]}, 40 rows loaded).")
    assert "What this file replaces" in html and "Warning" not in restated["message"]
    third, data, html = _april(home, "april partial.csv", 28)  # 22 % fewer than the 36 it replaces
    restated = data["restatement"]
    assert third.status == "accepted_with_warnings" and restated["drop_warning"]
    assert [o["batch_id"] for o in restated["replaces"]] == [again.batch_id]
    assert "Warning: it has 28 rows for 2025-04 where the data it replaces had 36, 22% fewer." in restated["message"]
    assert restated["message"] in html
    assert [r["code"] for r in data["reasons"]] == ["restatement_drop"]
