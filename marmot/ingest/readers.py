"""Read a landed file of any accepted format into a DuckDB table of text columns.

Every value is read as text so that the contract check, not the reader, decides what is
wrong; ``_row`` is the row number a partner sees in their own file (header = row 1, or the row
the header was found on below an export's title lines).

A file is measured against its contract's ``limits`` before it is loaded: a text file by its
bytes, an XLSX file by its unpacked size and the rows and columns its sheet really uses, a
Parquet file by the rows and size its metadata declares; a larger file is quarantined. The
connection's ``memory_limit`` (``MARMOT_INGEST_MEMORY_LIMIT``) bounds what checking it takes.

A JSON file holding a GeoJSON ``FeatureCollection`` (reference boundaries, e.g. the ONS Open Geography Portal's
``.geojson`` downloads) is read one row per feature: its properties as columns (plain names only), ``geometry`` as
GeoJSON text, and ``boundary_year`` from an ONS code field's name (``WD24CD`` -> 2024) where the file has none.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

import duckdb

from marmot.contracts import Limits, normalise_header
from marmot.ingest.problems import FileProblem

EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".json": "json", ".geojson": "json",
    ".ndjson": "ndjson", ".jsonl": "ndjson",
}
TEXT_FORMATS = {"csv", "json", "ndjson"}
JSON_DEPTH = 2  # types are detected in records' fields, deeper is text: DuckDB crashed on JSON 10,000 deep
DELIMITERS = (",", ";", "\t", "|")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # Excel's "Unicode text" starts with one
HEADER_SEARCH_LINES = 50  # lines above a CSV header: a report's title, its period, blank lines
EXCEL_ROWS = 1_048_576  # the last row of an XLSX sheet: a row numbered beyond it is not read
XLSX_CHUNK_CELLS = 1_000_000  # XLSX cells held in Python at a time on their way into DuckDB
READ_CHUNK_BYTES = 16 * 2**20
MB = 1_000_000
UNITS = {"max_rows": "rows", "max_columns": "columns", "max_uncompressed_mb": "MB"}


def file_format(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower())


def sniff_content(path: Path, fmt: str) -> None:
    """Refuse files whose bytes contradict their name: a zip, binary data, a web page, or JSON called .csv."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        raise FileProblem("empty_file", f"{path.name} is empty (0 bytes).")
    if fmt not in TEXT_FORMATS:
        return
    if head.startswith(b"PK\x03\x04"):
        raise FileProblem("archive_file", f"{path.name} is a zip archive, not {fmt.upper()}.")
    if head.startswith(UTF16_BOMS):
        text = head.decode("utf-16", errors="replace")
    elif b"\x00" in head:
        raise FileProblem("binary_file", f"{path.name} contains binary data, not {fmt.upper()} text.")
    else:
        text = head.decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith("<") and re.search(r"<html|<!doctype html", text, re.IGNORECASE):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        named = f" titled '{' '.join(title.group(1).split())[:80]}'" if title and title.group(1).strip() else ""
        raise FileProblem("web_page", f"{path.name} looks like a web page{named}, not a {fmt.upper()} export: "
                                      "often an error or sign-in page saved in place of the download.")
    if fmt == "csv" and re.match(r"\{|\[\s*([\[{\"\]]|$)", text):  # not '[Month],[LSOA]' (SQL Server)
        raise FileProblem("json_document", f"{path.name} holds a JSON document (it begins with '{text[0]}'), "
                                           "not CSV: it was saved or renamed as .csv.")


GEOJSON = re.compile(r'\s*\{.{0,4000}?"type"\s*:\s*"FeatureCollection"', re.S)
GEOJSON_PROPERTY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")  # properties read as columns; others are left out
ONS_CODE_FIELD = re.compile(r"[A-Z]{2,6}(\d{2})CD")  # WD24CD, LSOA21CD: the boundaries' year in the field's name


def is_geojson(path: Path) -> bool:
    """The file opens as a GeoJSON FeatureCollection (its ``type`` within the first few kilobytes)."""
    with open(path, "rb") as f:
        head = f.read(8192).decode("utf-8", errors="replace").lstrip("\ufeff")
    return bool(GEOJSON.match(head))


def _geojson_reader(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The features of a GeoJSON FeatureCollection as a query of text columns: each property of a plain name,
    ``geometry`` (GeoJSON text) and, where no property holds it, ``boundary_year`` from an ONS code field's name."""
    con.execute("CREATE TEMP TABLE geo_features AS SELECT unnest(json_extract(json, '$.features[*]')) AS f "
                f"FROM read_json_objects({sql_string(path)}, format='unstructured')")
    keys: list[str] = []
    for (names,) in con.execute("SELECT DISTINCT json_keys(f -> '$.properties') FROM geo_features").fetchall():
        keys += [k for k in names or [] if k not in keys and GEOJSON_PROPERTY.fullmatch(k) and k != "geometry"]
    columns = [f"f ->> '$.properties.\"{k}\"' AS \"{k}\"" for k in keys]
    if "boundary_year" not in {k.lower() for k in keys}:
        years = {m[1] for k in keys if (m := ONS_CODE_FIELD.fullmatch(k))}
        if len(years) == 1:
            columns.append(f"'20{years.pop()}' AS boundary_year")
    columns.append("CAST(f -> '$.geometry' AS VARCHAR) AS geometry")
    return f"(SELECT {', '.join(columns)} FROM geo_features)"


def _too_large(name: str, limits: Limits, key: str, found: str) -> FileProblem:
    """Quarantine: what was ``found`` and the limit it is over (the contract's ``limits.<key>``; the partner's
    receipt names no setting)."""
    return FileProblem("too_large", f"{name} {found}; this dataset takes at most {getattr(limits, key):,} "
                                    f"{UNITS[key]} in one file.")


def _check_megabytes(name: str, limits: Limits, size: int, what: str) -> None:
    if size > limits.max_uncompressed_mb * MB:
        raise _too_large(name, limits, "max_uncompressed_mb", f"is {math.ceil(size / MB):,} MB{what}")


def _check_columns(name: str, limits: Limits, width: int) -> None:
    if width > limits.max_columns:
        raise _too_large(name, limits, "max_columns", f"has {width:,} columns")


def _names_a_column(values: Iterable, headers: set[str]) -> bool:
    return any(normalise_header(v) in headers for v in values if v is not None)


def _delimiter(line: str) -> str:
    """The candidate the header line uses most."""
    return max(DELIMITERS, key=line.count)


def _fields(line: str) -> list[str]:
    return next(csv.reader([line], delimiter=_delimiter(line)), [])


def _encoding(path: Path) -> str:
    """``utf-16`` (after its byte order mark), ``utf-8``, or else ``cp1252`` (Excel's 'CSV', with '£' and
    friends); the file is decoded a chunk at a time, never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        chunk = f.read(READ_CHUNK_BYTES)
        if chunk.startswith(UTF16_BOMS):
            return "utf-16"
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = f.read(READ_CHUNK_BYTES)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _utf8_copy(path: Path, workdir: Callable[[], str]) -> Path:
    """DuckDB reads UTF-8: a file in another encoding is copied to UTF-8 in ``workdir()`` (only then:
    making a folder for every file cost more than reading a small one)."""
    encoding = _encoding(path)
    if encoding == "utf-8":
        return path
    copy = Path(workdir()) / "utf8.csv"
    with open(path, encoding=encoding, errors="replace", newline="") as src, \
            open(copy, "w", encoding="utf-8", newline="") as dst:
        shutil.copyfileobj(src, dst, READ_CHUNK_BYTES)
    return copy


def _csv_header(path: Path, headers: set[str]) -> tuple[int, str]:
    """(index, text) of the header line: the first of the first ``HEADER_SEARCH_LINES`` naming a contract
    column (exports put titles and blank lines above it), else the first line."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        lines = [line.rstrip("\r\n") for line in itertools.islice(f, HEADER_SEARCH_LINES)]
    for i, line in enumerate(lines):
        if _names_a_column(_fields(line), headers):
            return i, line
    return 0, lines[0] if lines else ""


def sql_string(value) -> str:
    """A SQL string literal. Statements name files this way rather than by a query parameter:
    DuckDB imports pandas on the first parameter a process binds, 0.3 s of a one-file ingest."""
    return "'" + str(value).replace("'", "''") + "'"


def _csv_reader(path: Path, header_line: str, skip: int, file_bytes: int) -> str:
    """read_csv with the dialect stated: the header line's delimiter, RFC 4180's quotes, ``skip`` lines
    above the header. DuckDB's own dialect sniffing costs more than reading a typical monthly extract.
    A line may be as long as the file; the read buffer is that long too (DuckDB's default, 16 longest
    lines, asked a 58 MB file for more than 1 GB of memory)."""
    longest = max(file_bytes + 1, 2_097_152)
    return (f"read_csv({sql_string(path)}, all_varchar=true, header=true, skip={skip}, "
            f"delim='{_delimiter(header_line)}', quote='\"', escape='\"', null_padding=true, parallel=false, "
            f"strict_mode=false, max_line_size={longest}, buffer_size={longest})")


def _not_a_workbook(path: Path, exc: Exception) -> FileProblem:
    return FileProblem("unreadable", f"{path.name} is not a readable XLSX workbook ({exc}).")


def _used_width(row: tuple) -> int:
    """Cells up to the row's last value (empty or formatted-only cells after it do not count)."""
    return next((j + 1 for j in range(len(row) - 1, -1, -1) if row[j] is not None and row[j] != ""), 0)


def _measure_sheet(ws, name: str, headers: set[str], limits: Limits) -> tuple[int, tuple, int, int]:
    """(header row, its values, last row with a value, widest row from the header on), rows 0-based as the
    sheet stores them; quarantines the file as soon as it is over a limit, and when no row names a
    contract column."""
    header_at, header, last, width = None, (), 0, 0
    for i, row in enumerate(itertools.islice(ws.iter_rows(values_only=True), EXCEL_ROWS)):
        used = _used_width(row)
        if not used:
            continue
        if used > limits.max_columns:
            raise _too_large(name, limits, "max_columns", f"has values in {used:,} columns of row {i + 1:,} "
                                                          f"of sheet '{ws.title}'")
        if header_at is None:
            if not _names_a_column(row, headers):
                continue
            header_at, header = i, row
        if i - header_at > limits.max_rows:
            raise _too_large(name, limits, "max_rows", f"has values down to row {i + 1:,} of sheet '{ws.title}', "
                                                       f"{i - header_at:,} rows below the header (blank rows "
                                                       "between them count)")
        last, width = i, max(width, used)
    if header_at is None:
        raise FileProblem("no_data_rows", f"{name}: no row of sheet '{ws.title}' holds the expected headers.")
    return header_at, header, last, width


def _text(v) -> str:
    return "" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v))


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, sheet: str | None, headers: set[str],
               limits: Limits) -> int:
    """XLSX: the named sheet (or the first), header = first row naming a contract column, data down to
    the last row holding a value (blank or formatted-only rows below it are not rows).

    The sheet's declared ``<dimension>`` is not used: openpyxl pads every row to it (a 1.7 KB file
    declaring 40,000 x 400 cells took 1.07 GB) and stops at it (rows below an understated one were
    lost). A first pass measures the rows and columns really used, holding none; a second hands the
    rows to DuckDB ``XLSX_CHUNK_CELLS`` cells at a time."""
    import openpyxl
    import pandas as pd

    try:
        with zipfile.ZipFile(path) as z:  # zipfile unpacks no more than each member declares
            _check_megabytes(path.name, limits, sum(i.file_size for i in z.infolist()), " unpacked")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileProblem:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many types for a bad workbook
        raise _not_a_workbook(path, exc) from exc
    try:
        if sheet and sheet not in book.sheetnames:
            raise FileProblem("missing_sheet", f"{path.name} has no sheet named '{sheet}' "
                                               f"(sheets: {', '.join(book.sheetnames)}).")
        ws = book[sheet] if sheet else book.worksheets[0]
        ws.reset_dimensions()
        header_at, header_row, last, width = _measure_sheet(ws, path.name, headers, limits)
        header = [f"column_{j + 1}" if v is None or v == "" else str(v)
                  for j, v in enumerate([*header_row[:width], *[None] * (width - len(header_row))])]
        data = ws.iter_rows(min_row=header_at + 2, max_row=last + 1, values_only=True)
        first = number = header_at + 2  # the partner's row number of the first data row
        while True:
            block = list(itertools.islice(data, max(1, XLSX_CHUNK_CELLS // width)))
            frame = pd.DataFrame([[_text(v) for v in r] + [""] * (width - len(r)) for r in block],
                                 columns=header, dtype="string")
            frame["_row"] = range(number, number + len(block))
            con.register("xlsx_frame", frame)
            con.execute(f"{'INSERT INTO src_rows' if number > first else 'CREATE TABLE src_rows AS'} "
                        "SELECT * FROM xlsx_frame")
            number += len(block)
            if not block or number > last + 1:
                break
    finally:
        book.close()
    con.execute("CREATE VIEW src AS SELECT * FROM src_rows")
    return number - first


def _numbered(con: duckdb.DuckDBPyConnection, reader: str, name: str, limits: Limits, *, first_row: int,
              cast: bool = False) -> int:
    """``src`` = the rows in file order with ``_row``: a table's rowid follows insertion order,
    which is cheaper than numbering rows with a window over the whole file. No more than one row
    over the limit is read."""
    columns = "COLUMNS(*)::VARCHAR" if cast else "*"
    rows = con.execute(f"CREATE TABLE src_rows AS SELECT {columns} FROM {reader} "
                       f"LIMIT {limits.max_rows + 1}").fetchone()[0]
    if rows > limits.max_rows:
        raise _too_large(name, limits, "max_rows", f"has more than {limits.max_rows:,} rows")
    con.execute(f"CREATE VIEW src AS SELECT *, rowid + {first_row} AS _row FROM src_rows")
    return rows


def _check_parquet(con: duckdb.DuckDBPyConnection, path: Path, limits: Limits) -> None:
    """What the file's metadata declares (a 67 KB file can hold 5 million rows: 4.6 GB once read)."""
    rows, size, width = con.execute(
        "SELECT sum(row_group_num_rows) FILTER (WHERE column_id = 0), sum(total_uncompressed_size), "
        f"max(row_group_num_columns) FROM parquet_metadata({sql_string(path)})").fetchone()
    if (rows or 0) > limits.max_rows:
        raise _too_large(path.name, limits, "max_rows", f"holds {rows:,} rows (its Parquet metadata)")
    _check_columns(path.name, limits, width or 0)
    _check_megabytes(path.name, limits, size or 0, " uncompressed (its Parquet metadata)")


def load(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, *, sheet: str | None = None,
         headers: set[str] = frozenset(), limits: Limits) -> tuple[list[str], int]:
    """Create ``src`` (all VARCHAR plus ``_row``) from the file; return its data columns and row count.

    ``drop_loaded`` removes what this leaves, so one connection can read file after file. DuckDB running
    out of memory is left to the caller, which decides what it means for the whole file."""
    sniff_content(path, fmt)
    if fmt in TEXT_FORMATS:
        _check_megabytes(path.name, limits, path.stat().st_size, "")
    with ExitStack() as stack:
        try:
            if fmt == "csv":
                source = _utf8_copy(path, lambda: stack.enter_context(tempfile.TemporaryDirectory()))
                skip, header_line = _csv_header(source, headers)
                _check_columns(path.name, limits, len(_fields(header_line)))
                rows = _numbered(con, _csv_reader(source, header_line, skip, source.stat().st_size), path.name,
                                 limits, first_row=skip + 2)
            elif fmt == "xlsx":
                rows = _load_xlsx(con, path, sheet, headers, limits)
            elif fmt == "parquet":
                _check_parquet(con, path, limits)
                rows = _numbered(con, f"read_parquet({sql_string(path)})", path.name, limits, first_row=1, cast=True)
            elif fmt == "json" and is_geojson(path):
                rows = _numbered(con, _geojson_reader(con, path), path.name, limits, first_row=1)
            else:
                rows = _numbered(con, f"read_json({sql_string(path)}, "
                                      f"format='{'newline_delimited' if fmt == 'ndjson' else 'auto'}', "
                                      f"maximum_depth={JSON_DEPTH})",
                                 path.name, limits, first_row=1, cast=True)
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as exc:  # first line only, without our internal path
            reason = str(exc).splitlines()[0].replace(str(path), path.name)
            raise FileProblem("unreadable", f"{path.name} could not be read as {fmt.upper()}: {reason}") from exc
    columns = [c for c in con.table("src_rows").columns if c != "_row"]
    _check_columns(path.name, limits, len(columns))  # JSON's keys are only known once it is read
    if rows == 0:
        raise FileProblem("no_data_rows", f"{path.name} has a header but no data rows.")
    return columns, rows


def drop_loaded(con: duckdb.DuckDBPyConnection) -> None:
    """Remove what ``load`` created (one connection reads many files in turn)."""
    con.execute("DROP VIEW IF EXISTS src; DROP TABLE IF EXISTS src_rows; DROP TABLE IF EXISTS geo_features")
    con.unregister("xlsx_frame")
