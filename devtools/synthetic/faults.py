"""``--dirty``: the faults partners' files really have, one per chosen file, with the outcome
ingest is expected to record for it (written to ``_faults.json``).

Most faults are ones ingest must catch: a row rejected with a reason code, or the file
quarantined. Some are ones ingest is designed to absorb (a BOM, a ';' delimiter, cp1252,
header case and spacing, lowercase or padded LSOA codes, a mix of the two accepted date
formats); their expected status is ``accepted`` so a demo or test can check that they load
without losing rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marmot.contracts import Contract

SUPPRESSION = ["*", "<5", "c"]
FORMULAS = ["=SUM(B2:B9)", "+44 24 7683 1000", "-2+3", '@INDIRECT("A1")']
OUTSIDE = ["E01000001", "E01004736", "E01033601"]  # City of London, Westminster, Manchester
TEXT_FORMATS = {"csv"}


@dataclass
class Outcome:
    status: str
    codes: list[str]
    detail: str = ""


def _rows(rng, n: int, share: float = 0.03) -> np.ndarray:
    """Rows to damage: about ``share`` of them, at least one, never all."""
    k = int(min(max(1, round(n * share)), max(n - 1, 1)))
    return np.sort(rng.choice(n, k, replace=False))


def _as_text(col) -> np.ndarray:
    arr = np.asarray(col)
    if arr.dtype == bool:
        return np.where(arr, "Y", "N").astype(object)
    return np.array([("" if v is None else str(v)) for v in arr.tolist()], dtype=object)


def _count_columns(c: Contract, table: dict) -> list[str]:
    return [col.name for col in c.columns if col.type == "integer" and not col.personal
            and col.name in table and col.name not in c.key]


def _free_text(c: Contract, table: dict) -> str | None:
    for col in c.columns:
        if col.type == "string" and not (col.allowed or col.pattern or col.personal or col.reference) \
                and col.name in table and col.name not in c.key:
            return col.name
    return None


def _formula_column(c: Contract, table: dict) -> str | None:
    """Free text (loaded, with a warning) or else a checked column (allowed list or number: rejected)."""
    if text := _free_text(c, table):
        return text
    for col in c.columns:
        if col.name in table and col.name != c.period_column and col.allowed and col.type == "string":
            return col.name
    counts = _count_columns(c, table)
    return counts[0] if counts else None


def applicable(name: str, c: Contract, fmt: str) -> bool:
    """Whether the fault makes sense for this contract's files (generated tables hold every contract column)."""
    cols = {col.name: col for col in c.columns}
    table = dict.fromkeys(cols)
    if name in ("bom", "semicolon", "truncated_last_line", "cp1252_pound"):
        return fmt in TEXT_FORMATS and (name != "cp1252_pound" or _pound_column(c, table) is not None)
    if name == "header_only":
        return fmt in ("csv", "xlsx")
    if name == "date_mix":
        return any(col.type == "date" for col in c.columns)
    if name == "suppression_markers":
        return bool(_count_columns(c, table))
    if name == "negative_counts":
        return any(cols[n].minimum is not None and cols[n].minimum >= 0 for n in _count_columns(c, table))
    if name in ("lsoa_case_padding", "lsoa_outside_city"):
        return "lsoa21_code" in table
    if name == "invalid_nhs_number":
        return any(col.check == "nhs_number" for col in c.columns)
    if name == "formula_cells":
        return _formula_column(c, table) is not None
    return True  # header_case, missing_required_column, duplicate_rows


def _pound_column(c: Contract, table: dict) -> tuple[str, bool] | None:
    """(column, visible): a money column ('£1,200' is not a number) or a free-text column."""
    for col in c.columns:
        if col.name.endswith("_gbp") and col.name in table:
            return col.name, True
    text = _free_text(c, table)
    return (text, False) if text else None


def apply_to_table(name: str, c: Contract, table: dict, rng) -> tuple[dict, Outcome]:
    """Damage the table (contract column -> values) before it is written."""
    n = len(next(iter(table.values())))
    t = dict(table)
    if name == "missing_required_column":
        victim = "lsoa21_code" if "lsoa21_code" in t else next(
            col.name for col in c.columns if col.required and col.name != c.period_column)
        del t[victim]
        return t, Outcome("quarantined", ["missing_required_column"], detail=f"column {victim} left out")
    if name == "header_only":
        return {k: np.asarray(v)[:0] for k, v in t.items()}, Outcome("quarantined", ["no_data_rows"])
    if name == "duplicate_rows":
        rows = _rows(rng, n, 0.02)
        t = {k: np.concatenate([np.asarray(v, dtype=object), np.asarray(v, dtype=object)[rows]]) for k, v in t.items()}
        return t, Outcome("accepted_with_warnings", ["duplicate_key"], detail=f"{rows.size} rows repeated at the end")
    if name == "date_mix":
        col = next(col for col in c.columns if col.type == "date")
        rows = _rows(rng, n, 0.3)
        vals = _as_text(t[col.name])
        vals[rows] = [f"{v[6:10]}-{v[3:5]}-{v[0:2]}" for v in vals[rows]]
        t[col.name] = vals
        ok = "%Y-%m-%d" in col.date_formats and "%d/%m/%Y" in col.date_formats
        return t, (Outcome("accepted", [], detail="both date formats are in the contract") if ok
                   else Outcome("accepted_with_warnings", ["not_a_date"]))
    if name in ("suppression_markers", "negative_counts", "formula_cells"):
        if name == "negative_counts":
            column = next(x for x in _count_columns(c, t) if c.column(x).minimum is not None)
        elif name == "formula_cells":
            column = _formula_column(c, t)
        else:
            column = _count_columns(c, t)[int(rng.integers(len(_count_columns(c, t))))]
        rows = _rows(rng, n)
        vals = _as_text(t[column])
        pool = {"suppression_markers": SUPPRESSION, "formula_cells": FORMULAS}.get(name)
        if pool:
            vals[rows] = [pool[i % len(pool)] for i in range(rows.size)]
        else:
            vals[rows] = [f"-{int(rng.integers(1, 9))}"] * rows.size
        t[column] = vals
        col = c.column(column)
        code = {"suppression_markers": "suppressed_value", "negative_counts": "out_of_range"}.get(name) or (
            "not_allowed" if col.allowed else "not_a_number" if col.type != "string" else "formula_like_text")
        return t, Outcome("accepted_with_warnings", [code], detail=f"{rows.size} cells in {column}")
    if name in ("lsoa_case_padding", "lsoa_outside_city"):
        rows = _rows(rng, n, 0.05)
        vals = _as_text(t["lsoa21_code"])
        if name == "lsoa_case_padding":
            vals[rows] = [f" {v.lower()} " if i % 2 else v.lower() for i, v in enumerate(vals[rows])]
            t["lsoa21_code"] = vals
            return t, Outcome("accepted", [], detail="contract normalises case and ingest trims spaces")
        vals[rows] = [OUTSIDE[i % len(OUTSIDE)] for i in range(rows.size)]
        t["lsoa21_code"] = vals
        return t, Outcome("accepted_with_warnings", ["not_in_reference"], detail=f"{rows.size} rows")
    if name == "invalid_nhs_number":
        column = next(col.name for col in c.columns if col.check == "nhs_number")
        rows = _rows(rng, n)
        vals = _as_text(t[column])
        vals[rows] = [v[:9] + str((int(v[9]) + int(rng.integers(1, 10))) % 10) for v in vals[rows]]
        t[column] = vals
        return t, Outcome("accepted_with_warnings", ["bad_check_digit"], detail=f"{rows.size} rows")
    if name == "cp1252_pound":
        column, visible = _pound_column(c, t)
        rows = _rows(rng, n, 0.1)
        vals = _as_text(t[column])
        vals[rows] = [f"£{float(v):,.2f}" if visible else f"{v} (£5 voucher)" for v in vals[rows]]
        t[column] = vals
        return t, (Outcome("accepted_with_warnings", ["not_a_number"], detail=f"'£' amounts in {column}") if visible
                   else Outcome("accepted", [], detail=f"'£' in free text {column}; ingest decodes cp1252"))
    return t, _BYTE_OUTCOMES[name]


_BYTE_OUTCOMES = {
    "bom": Outcome("accepted", [], detail="UTF-8 byte order mark; ingest reads it"),
    "semicolon": Outcome("accepted", [], detail="';' delimiter; ingest sniffs it"),
    "header_case": Outcome("accepted", [], detail="headers upper-cased and spaced; ingest normalises headers"),
    "truncated_last_line": Outcome("accepted_with_warnings", ["missing_value"], detail="last line cut short"),
}


def apply_to_headers(name: str, headers: list[str]) -> list[str]:
    if name != "header_case":
        return headers
    return [f" {h.upper().replace('_', ' ')} " if i % 2 else h.lower().replace(" ", "_") for i, h in enumerate(headers)]


def apply_to_bytes(name: str, data: bytes) -> bytes:
    if name == "bom":
        return b"\xef\xbb\xbf" + data
    if name == "cp1252_pound":
        return data.decode("utf-8").encode("cp1252", errors="replace")
    if name == "truncated_last_line":
        body = data.rstrip(b"\r\n")
        start = body.rfind(b"\n") + 1
        return body[: start + max(1, (len(body) - start) // 3)]
    return data


FAULTS = ["bom", "cp1252_pound", "semicolon", "header_case", "missing_required_column", "date_mix",
          "header_only", "truncated_last_line", "duplicate_rows", "suppression_markers", "negative_counts",
          "lsoa_case_padding", "lsoa_outside_city", "invalid_nhs_number", "formula_cells"]
