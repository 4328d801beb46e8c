"""Receipts: what a partner gets back for every file (JSON for machines, HTML for people, and a CSV of the
rejected rows beside them).

Every problem carries a stable ``code`` beside its sentences (``message``, ``expected``, ``action``; see
``marmot.ingest.problems.Problem``), so machines and people read the same receipt. A row with several problems is
one rejected row: ``summary`` and ``counts`` say rows received, accepted, rejected and the problems found.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from marmot.atomic import PRIVATE, private_dirs, replacing, write_text
from marmot.contracts.wording import TITLES, Wording, sentence
from marmot.csv_safe import csv_safe
from marmot.ingest.problems import FIXES
from marmot.templating import render

if TYPE_CHECKING:
    from marmot.contracts import Contract
    from marmot.ingest.ledger import Entry
    from marmot.settings import Paths
    from marmot.validate.report import Report

HEADLINES = {
    "accepted": "Accepted: every row loaded.",
    "accepted_with_warnings": "Accepted with warnings: the file loaded, but some rows or columns need attention.",
    "quarantined": "Quarantined: nothing from this file was loaded. Please fix the problem below and send it again.",
    "duplicate": "Duplicate: we already have this exact content, so it was not loaded again.",
    "superseded": "Superseded: a later file for the same period replaced this one.",
}
LISTED_ROWS = 200  # rejected-row problems shown on a receipt; the CSV beside it has every one
CSV_SUFFIX = "-rejected-rows.csv"
CSV_HEADER = ["Row", "Column", "Value found", "Problem", "Expected", "What to do", "Code"]
ROW_NUMBERS = {
    "csv": ("Row numbers are the line numbers of your file, counting the header line as row 1 (and any title "
            "lines above it), so the first data row under a header on line 1 is row 2."),
    "xlsx": "Row numbers are the row numbers Excel shows on the left of the sheet (the header row counts).",
    "parquet": "Row numbers count the records of the file from 1 (a Parquet file has no header line).",
    "json": "Row numbers count the records of the file from 1 (the first record is row 1).",
    "ndjson": "Row numbers are the line numbers of the file (the first record is row 1).",
}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def summary(entry: Entry, problems: int) -> str:
    """"N rows received, A accepted, R rejected (with P problems)": a row with several problems counts once."""
    if entry.status == "duplicate":
        return "Not loaded again: we already hold this exact file."
    if entry.status == "quarantined" and not entry.rows_in:
        return "Nothing was loaded: the file was stopped before its rows could be read."
    if entry.status == "quarantined":
        return (f"{_plural(entry.rows_in, 'row')} received, none loaded: the whole file was stopped"
                + (f" ({_plural(problems, 'problem')} found in its rows)." if problems else "."))
    text = f"{_plural(entry.rows_in, 'row')} received, {entry.rows_loaded:,} accepted, {entry.rows_rejected:,} rejected"
    if entry.rows_rejected:
        text += f" (with {_plural(problems, 'problem')}: a row with several problems is one rejected row)"
    return text + "."


def _rejected(paths: Paths, entry: Entry) -> tuple[list[dict], int, Path | None]:
    """The first ``LISTED_ROWS`` problems of rejected rows (each a row, column, value and words), how many there
    are, and the rejects file they come from (None when there is none)."""
    batch = paths.rejects / entry.partner / entry.dataset / f"{entry.batch_id}.parquet"
    if not batch.exists():
        return [], 0, None
    import duckdb  # only a file with rejected rows needs it

    con = duckdb.connect()
    try:
        listed = con.execute(f"{_rows_sql(con, batch)} LIMIT {LISTED_ROWS}").fetchall()
        total = con.execute(f"SELECT count(*) FROM read_parquet({_lit(batch)})").fetchone()[0]
    finally:
        con.close()
    return [_row(*r) for r in listed], total, batch


def _lit(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _rows_sql(con, batch: Path) -> str:
    """Rejects of any age (batches written before the words were kept have only ``reason``)."""
    have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(batch)})").fetchall()}
    pick = [c if c in have else f"NULL AS {c}" for c in ("header", "expected", "action", "personal")]
    return (f"SELECT row_number, column_name, value, code, reason, {', '.join(pick)} "
            f"FROM read_parquet({_lit(batch)}) ORDER BY row_number, column_name, code")


def _row(row: int, column: str, value, code: str, reason: str, header, expected, action, personal) -> dict:
    """One problem of one rejected row: stable ``code``, and ``message`` / ``expected`` / ``action`` in words."""
    header = header or column
    personal = bool(personal)
    if code == "missing_value":  # nothing was there to withhold
        value, personal = None, False
    words = Wording(code, TITLES.get(code, code), reason, expected or "", action or FIXES.get(code, ""))
    message = (sentence(words, row=row, header=header, value=value, personal=personal) if expected
               else f"Row {row:,}, column '{header}': {reason}")
    return {"row": row, "column": column, "column_in_file": header, "value": None if personal else value,
            "code": code, "title": words.title, "problem": reason, "expected": expected, "action": words.action,
            "message": message}


def _write_csv(target: Path, batch: Path) -> None:
    """Every problem of every rejected row, formula-safe, streamed from the rejects file."""
    import duckdb

    con = duckdb.connect()
    try:
        cur = con.execute(_rows_sql(con, batch))
        with replacing(target, PRIVATE) as tmp, open(tmp, "w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(CSV_HEADER)
            while chunk := cur.fetchmany(10_000):
                for r in map(lambda t: _row(*t), chunk):
                    w.writerow([csv_safe(v) for v in (r["row"], r["column_in_file"],
                                                      "(not shown: personal data)" if r["value"] is None
                                                      and r["code"] != "missing_value" else r["value"] or "",
                                                      r["problem"], r["expected"] or "", r["action"], r["code"])])
    finally:
        con.close()


def restatement(entry: Entry) -> dict | None:
    """What a restatement replaces, in words and figures, and the drop warning when rows fell sharply."""
    if not entry.replaces:
        return None
    olds = [f"batch {o['batch_id']} ('{o['original_name']}', received {o['received_at'][:10]}, "
            f"{_plural(o['rows_loaded'], 'row')} loaded)" for o in entry.replaces]
    periods = sorted({p for o in entry.replaces for p in o["periods"]})
    drop = next((r for r in entry.reasons if r["code"] == "restatement_drop"), None)
    message = (f"This file restates {', '.join(periods)}: it replaces {'; '.join(olds)}. "
               "The data it replaces is kept in our history but no longer used.")
    if drop:
        message += (f" Warning: it has {drop['rows_after']:,} rows for {', '.join(drop['periods'])} where the data "
                    f"it replaces had {drop['rows_before']:,}, "
                    f"{100 * (drop['rows_before'] - drop['rows_after']) / drop['rows_before']:.0f}% fewer.")
    return {"message": message, "periods": periods, "replaces": entry.replaces,
            "rows_before": drop["rows_before"] if drop else sum(o["rows_loaded"] for o in entry.replaces),
            "rows_after": drop["rows_after"] if drop else None, "drop_warning": drop is not None,
            "drop_message": drop["message"] if drop else None}


def write(paths: Paths, entry: Entry, contract: Contract | None = None) -> Path:
    """Write ``receipts/<partner>/<dataset>/<batch_id>.{json,html}`` atomically, and ``<batch_id>-rejected-rows.csv``
    beside them when rows were rejected; return the HTML path."""
    folder = private_dirs(paths.receipts, entry.partner, entry.dataset)  # names as sent, values of rejected rows
    about = ({"title": contract.title, "partner_name": contract.partner_name, "contact": contract.contact,
              "formats": list(contract.formats), "archive_days": contract.retention.archive_days} if contract else
             {"title": "", "partner_name": "", "contact": "", "formats": [], "archive_days": None})
    rows, problems, batch = _rejected(paths, entry)
    csv_name = f"{entry.batch_id}{CSV_SUFFIX}" if batch else None
    if batch:
        _write_csv(folder / csv_name, batch)
    fmt = Path(entry.original_name).suffix.lower().lstrip(".")
    data = {**asdict(entry), "headline": HEADLINES[entry.status], **about,
            "summary": summary(entry, problems),
            "counts": {"received": entry.rows_in, "accepted": entry.rows_loaded, "rejected": entry.rows_rejected,
                       "problems": problems},
            "row_numbers": ROW_NUMBERS.get({"txt": "csv", "tsv": "csv", "jsonl": "ndjson"}.get(fmt, fmt),
                                           ROW_NUMBERS["csv"]),
            "rejected_rows": rows, "rejected_rows_total": problems, "rejected_rows_csv": csv_name,
            "restatement": restatement(entry)}
    return _save(folder, entry.batch_id, data)


def add_quality_checks(paths: Paths, report: Report) -> int:
    """Tell each newly loaded batch's receipt what the quality gates found in its dataset.

    The raw-data suites run at validation, after the receipt was written at ingest. The first
    validation that sees a batch adds its results (critical and warning checks that did not
    pass, with counts); later validations leave the receipt alone. Returns receipts updated.
    """
    updated = 0
    for dataset_id, batch_ids in report.datasets.items():
        partner, dataset = dataset_id.split("__", 1)
        mine = [o for o in report.outcomes if o.suite == f"raw__{dataset_id}"]
        checks = {"run_id": report.run_id, "checked": len(mine),
                  "passed": not any(o.severity == "critical" and o.status != "passed" for o in mine),
                  "problems": [{"severity": o.severity, "status": o.status, "check": o.expectation,
                                "why": o.why, "unexpected": o.unexpected_count}
                               for o in mine if o.status != "passed"]}
        folder = paths.receipts / partner / dataset
        for batch_id in batch_ids:
            receipt = folder / f"{batch_id}.json"
            if not receipt.exists():
                continue
            data = json.loads(receipt.read_text(encoding="utf-8"))
            if "quality_checks" in data:
                continue
            _save(folder, batch_id, {**data, "quality_checks": checks})
            updated += 1
    return updated


def _save(folder: Path, batch_id: str, data: dict) -> Path:
    write_text(folder / f"{batch_id}.json", json.dumps(data, indent=2), PRIVATE)
    html = folder / f"{batch_id}.html"
    write_text(html, render("receipt.html.j2", r=data), PRIVATE)
    return html
