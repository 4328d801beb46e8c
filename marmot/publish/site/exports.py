"""Files for analysts: a CSV per indicator, an Excel workbook per principle, the folder's README.

Text cells a spreadsheet would run as formulas get a leading apostrophe (as in the CSVs that
publishing writes), in the CSVs and in the workbooks.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from marmot.publish.csv_safe import csv_safe
from marmot.publish.site.publication import Publication
from marmot.publish.site.reuse import Reuse, code_version, key

SUPPRESSION_NOTES = [
    "Disclosure control: rows with is_suppressed = TRUE are suppressed to protect small numbers (their own or, "
    "so that they cannot be worked out from the totals, another row's); their numerator, denominator, value and "
    "interval are withheld (blank here, '*' on the site).",
    "Intervals are 95% (lower_95, upper_95) and 99.8% (lower_998, upper_998) confidence limits by the indicator's "
    "method (the Metadata sheet describes each in words).",
    "Polarity: HiG high is good, LiG low is good, BOB no judgement (compared as lower/similar/higher).",
    "Times (e.g. last_data_received_at) are in UTC.",
    "Text cells starting with = + - @ carry a leading apostrophe so that spreadsheets do not run them.",
]


def _values(pub: Publication, where: str, param: str):
    """Every column of the values mart but the principle's wording (new columns come along)."""
    return pub.con.execute("SELECT * EXCLUDE (principle_key, principle_label) FROM mart_indicator_values "
                           f"WHERE {where} = ? ORDER BY indicator_id, period, geography_level, area_code", [param])


def _header(cur) -> list[str]:
    return [d[0] for d in cur.description]


def _made(reuse: Reuse | None, path: Path, rows: tuple, make) -> None:
    """``make(path)``, or a link to the previous version's identical file (``marmot.publish.site.reuse``)."""
    if reuse is None:
        make(path)
    else:
        import openpyxl

        reuse.file(path.relative_to(reuse.folder).as_posix(),
                   key(code_version(__name__), openpyxl.__version__, path.name, rows), make)


def indicator_csv(pub: Publication, indicator_id: str, path: Path, reuse: Reuse | None = None) -> None:
    cur = _values(pub, "indicator_id", indicator_id)
    header, rows = _header(cur), cur.fetchall()

    def make(target: Path) -> None:
        with open(target, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows([csv_safe(v) for v in row] for row in rows)
    _made(reuse, path, (header, rows), make)


def _bold(ws, value: str) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(bold=True)
    return cell


NUMBER_FORMATS = {float: "#,##0.0###", int: "#,##0"}  # decimals as stored (up to 4), thousands separated
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def _sheet(wb: Workbook, title: str, header: list[str], rows) -> None:
    """A write-only sheet streams its rows, so the panes are frozen and the columns sized before the first one;
    the header filters every column."""
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(name) + 2, 10), 40)
    ws.append([_bold(ws, h) for h in header])
    count = 0
    for row in rows:
        ws.append([_excel(ws, v) for v in row])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{count + 1}"


def _excel(ws, value):
    """A cell Excel can hold: formula-safe text; numbers with a number format; times in UTC without a zone (Excel
    has no time zones)."""
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value)
        cell.number_format = TIME_FORMAT
        return cell
    if (fmt := NUMBER_FORMATS.get(type(value))) is not None:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = fmt
        return cell
    return csv_safe(value)


def principle_workbook(pub: Publication, principle: dict, path: Path, reuse: Reuse | None = None) -> None:
    """Sheets: Indicators (every value), Latest (the bigger picture), Comparators (of every period), Sex and
    ethnicity (breakdowns) and Metadata
    (definitions, methods in words, sources, caveats) when published, Notes. The Notes do not name the version
    (the folder does): an unchanged workbook is the previous version's file (``marmot.publish.site.reuse``)."""
    sheets = []
    cur = _values(pub, "principle_key", principle["key"])
    sheets.append(("Indicators", _header(cur), cur.fetchall()))
    if pub.has("mart_indicator_latest"):
        cur = pub.con.execute("SELECT * FROM mart_indicator_latest WHERE indicator_id IN (SELECT indicator_id "
                              "FROM mart_indicator_values WHERE principle_key = ?) ORDER BY indicator_id",
                              [principle["key"]])
        sheets.append(("Latest", _header(cur), cur.fetchall()))
    peers_unconfirmed = False
    if pub.has("mart_indicator_comparators"):
        cur = pub.con.execute("SELECT * FROM mart_indicator_comparators WHERE indicator_id IN (SELECT indicator_id "
                              "FROM mart_indicator_values WHERE principle_key = ?) ORDER BY indicator_id, period, "
                              "comparator_kind, area_code", [principle["key"]])
        header, rows = _header(cur), cur.fetchall()
        sheets.append(("Comparators", header, rows))
        verified = header.index("is_peer_list_verified")
        peers_unconfirmed = any(r[verified] is False for r in rows)
    if pub.has("mart_indicator_breakdowns"):
        cur = pub.con.execute("SELECT * FROM mart_indicator_breakdowns WHERE indicator_id IN (SELECT indicator_id "
                              "FROM mart_indicator_values WHERE principle_key = ?) ORDER BY ALL", [principle["key"]])
        sheets.append(("Sex and ethnicity", _header(cur), cur.fetchall()))
    if pub.has("mart_indicator_metadata"):
        cur = pub.con.execute("SELECT * FROM mart_indicator_metadata WHERE principle_key = ? ORDER BY indicator_id",
                              [principle["key"]])
        sheets.append(("Metadata", _header(cur), cur.fetchall()))
    notes = [f"{principle['label']} ({principle['key']})."]
    if pub.synthetic:
        notes.append("SYNTHETIC DEMO DATA: generated figures, not real Coventry statistics.")
    if peers_unconfirmed:
        notes.append("Comparators: the peer list (CIPFA nearest neighbours) is recalled, not yet confirmed against "
                     "the CIPFA Nearest Neighbours Model (is_peer_list_verified false): check it before quoting the "
                     "peer median. England values with is_approximate true are seeded approximations, not "
                     "Fingertips figures of the period.")
    sheets.append(("Notes", ["note"], [[n] for n in notes + SUPPRESSION_NOTES]))

    def make(target: Path) -> None:
        wb = Workbook(write_only=True)  # rows streamed, no cell objects kept: ~13% less CPU
        for title, header, rows in sheets:
            _sheet(wb, title, header, rows)
        wb.save(target)
    _made(reuse, path, tuple(sheets), make)


README = """\
# Coventry Marmot indicators, published version {version}

{synthetic}This folder is one read-only publication. `index.html` is the site (open it in a browser,
or run `marmot serve` for http://127.0.0.1:8000/). The same figures as files:

| file | what |
|---|---|
| `marmot.duckdb` | every published table (read-only DuckDB database) |
| `<table>.csv`, `<table>.parquet` | one per table: {tables} |
| `exports/indicator-<id>.csv` | the values of one indicator (all periods and areas) |
| `exports/principle-<key>.xlsx` | per principle: Indicators, Latest, Comparators (England, West Midlands, \
peers and their median per period, with whether each is approximate, synthetic or from an unconfirmed peer list), \
Sex and ethnicity, Metadata (definitions) and Notes sheets, each filtered and frozen under its header |
| `data_dictionary.csv`, `dictionary.html` | every table and column with its type and description |
| `manifest.json` | the partner files (with SHA-256) and the validation run behind this version |

Suppressed values (disclosure control) are blank in the files, `*` on the site; `is_suppressed` says
which, and `suppression_reason` is always "suppressed to protect small numbers" (which rows hid a small
count and which only protect one is not published).

## Examples

`marmot query` (reads `published/current`):

```bash
marmot query "select indicator_id, period, value, lower_95, upper_95 from mart_indicator_values \\
  where geography_level = 'city' order by indicator_id, period" --format csv
```

DuckDB CLI:

```bash
duckdb -readonly marmot.duckdb "select area_name, value from mart_indicator_values \\
  where indicator_id = '{example}' and geography_level = 'imd_quintile' order by period, area_code"
```

pandas:

```python
import duckdb
con = duckdb.connect("marmot.duckdb", read_only=True)
df = con.execute("select * from mart_indicator_values where indicator_id = ?", ["{example}"]).df()
# or without DuckDB:
import pandas as pd
df = pd.read_csv("exports/indicator-{example}.csv")
```

Excel: open `exports/principle-<key>.xlsx` (one workbook per principle), or use Data > From
Text/CSV on any CSV file. Text cells starting with `=`, `+`, `-` or `@` have a leading
apostrophe so that they are never run as formulas.
"""


def readme(pub: Publication, example: str) -> str:
    synthetic = "**Synthetic demo data: these figures are generated, not real Coventry statistics.**\n\n" \
        if pub.synthetic else ""
    return README.format(version=pub.version, synthetic=synthetic, example=example,
                         tables=", ".join(f"`{t}`" for t in pub.tables))
