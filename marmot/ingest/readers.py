"""Read a landed file of any accepted format into a DuckDB table of text columns.

Every value is read as text so that the contract check, not the reader, decides what is
wrong; ``_row`` is the row number a partner sees in their own file (header = row 1).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import duckdb

from marmot.ingest.problems import FileProblem

EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".json": "json",
    ".ndjson": "ndjson", ".jsonl": "ndjson",
}


def file_format(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower())


def sniff_content(path: Path, fmt: str) -> None:
    """Refuse files whose bytes contradict their name (a zip or binary called .csv)."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        raise FileProblem("empty_file", f"{path.name} is empty (0 bytes).")
    if fmt in {"csv", "json", "ndjson"}:
        if head.startswith(b"PK\x03\x04"):
            raise FileProblem("archive_file", f"{path.name} is a zip archive, not {fmt.upper()}.")
        if b"\x00" in head:
            raise FileProblem("binary_file", f"{path.name} contains binary data, not {fmt.upper()} text.")


DELIMITERS = (",", ";", "\t", "|")


def _utf8_copy(path: Path, workdir: Callable[[], str]) -> tuple[Path, str]:
    """DuckDB reads UTF-8; partners also send cp1252 (Excel's 'CSV') with '£' and friends.

    Returns the UTF-8 file (a copy in ``workdir()`` only when the file was not UTF-8: making a
    folder for every file cost more than reading a small one) and its header line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        path = Path(workdir()) / "utf8.csv"
        path.write_text(text, encoding="utf-8")
    end = text.find("\n")  # the header line, without copying the rest of the file
    return path, text[:end if end >= 0 else None].lstrip("\ufeff")


def sql_string(value) -> str:
    """A SQL string literal. Statements name files this way rather than by a query parameter:
    DuckDB imports pandas on the first parameter a process binds, 0.3 s of a one-file ingest."""
    return "'" + str(value).replace("'", "''") + "'"


def _csv_reader(path: Path, header_line: str, file_bytes: int) -> str:
    """read_csv with the dialect stated: the delimiter is the candidate the header line uses
    most, quotes are RFC 4180's. DuckDB's own dialect sniffing costs more than reading a
    typical monthly extract, and its longest-line buffer is sized to the file."""
    delimiter = max(DELIMITERS, key=header_line.count)
    return (f"read_csv({sql_string(path)}, all_varchar=true, header=true, delim='{delimiter}', quote='\"', "
            f"escape='\"', null_padding=true, parallel=false, strict_mode=false, "
            f"max_line_size={max(file_bytes + 1, 2_097_152)})")


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None, headers: set[str]) -> int:
    """XLSX: the named sheet (or the first), header = first row naming a contract column."""
    import openpyxl
    import pandas as pd

    from marmot.contracts import normalise_header

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad workbook
        raise FileProblem("unreadable", f"{path.name} is not a readable XLSX workbook ({exc}).") from exc
    if sheet and sheet not in book.sheetnames:
        book.close()
        raise FileProblem("missing_sheet", f"{path.name} has no sheet named '{sheet}' "
                                           f"(sheets: {', '.join(book.sheetnames)}).")
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    book.close()
    header_at = next(
        (i for i, r in enumerate(rows) if any(normalise_header(v) in headers for v in r if v is not None)),
        None,
    )
    if header_at is None:
        raise FileProblem("no_data_rows", f"{path.name}: no row of sheet '{ws.title}' holds the expected headers.")
    header = [str(v) if v is not None else f"column_{j + 1}" for j, v in enumerate(rows[header_at])]
    body = [
        ["" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)) for v in r]
        for r in rows[header_at + 1:]
    ]
    frame = pd.DataFrame(body, columns=header, dtype="string")
    frame["_row"] = range(header_at + 2, header_at + 2 + len(frame))
    con.register("xlsx_frame", frame)
    rows = con.execute("CREATE TABLE src_rows AS SELECT * FROM xlsx_frame").fetchone()[0]
    con.execute("CREATE VIEW src AS SELECT * FROM src_rows")
    return rows


def _numbered(con: duckdb.DuckDBPyConnection, reader: str, *, first_row: int, cast: bool = False) -> int:
    """``src`` = the rows in file order with ``_row``: a table's rowid follows insertion order,
    which is cheaper than numbering rows with a window over the whole file."""
    columns = "COLUMNS(*)::VARCHAR" if cast else "*"
    rows = con.execute(f"CREATE TABLE src_rows AS SELECT {columns} FROM {reader}").fetchone()[0]
    con.execute(f"CREATE VIEW src AS SELECT *, rowid + {first_row} AS _row FROM src_rows")
    return rows


def load(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, *, sheet: str | None = None,
         headers: set[str] = frozenset()) -> tuple[list[str], int]:
    """Create ``src`` (all VARCHAR plus ``_row``) from the file; return its data columns and row count.

    ``drop_loaded`` removes what this leaves, so one connection can read file after file."""
    sniff_content(path, fmt)
    with ExitStack() as stack:
        try:
            if fmt == "csv":
                source, header_line = _utf8_copy(path, lambda: stack.enter_context(tempfile.TemporaryDirectory()))
                rows = _numbered(con, _csv_reader(source, header_line, source.stat().st_size), first_row=2)
            elif fmt == "xlsx":
                rows = _load_xlsx(con, path, sheet, headers)
            elif fmt == "parquet":
                rows = _numbered(con, f"read_parquet({sql_string(path)})", first_row=1, cast=True)
            else:
                rows = _numbered(con, f"read_json({sql_string(path)}, "
                                      f"format='{'newline_delimited' if fmt == 'ndjson' else 'auto'}')",
                                 first_row=1, cast=True)
        except duckdb.Error as exc:  # first line only, without our internal path
            reason = str(exc).splitlines()[0].replace(str(path), path.name)
            raise FileProblem("unreadable", f"{path.name} could not be read as {fmt.upper()}: {reason}") from exc
    columns = [c for c in con.table("src_rows").columns if c != "_row"]
    if rows == 0:
        raise FileProblem("no_data_rows", f"{path.name} has a header but no data rows.")
    return columns, rows


def drop_loaded(con: duckdb.DuckDBPyConnection) -> None:
    """Remove what ``load`` created (one connection reads many files in turn)."""
    con.execute("DROP VIEW IF EXISTS src; DROP TABLE IF EXISTS src_rows")
    con.unregister("xlsx_frame")
