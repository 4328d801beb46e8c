"""Ingest landed partner files: check against the contract, archive, load, record, receipt.

For every file in ``landing/<partner>/<dataset>/``:
1. the original bytes are archived (content-addressed, read-only) before anything else;
2. file-level problems quarantine the whole file; row-level problems reject single rows
   into a rejects Parquet with row, column, value and reason;
3. accepted rows are written as one immutable Parquet file per batch (direct identifiers
   pseudonymised or dropped first), so ingests of different partners can run in parallel
   processes without sharing a DuckDB file;
4. a ledger record and a receipt (JSON + HTML) are written, then the landed file is removed.

No exception from a single file stops the run: it becomes a quarantine with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import logging
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from marmot import ledger, receipts
from marmot.contracts import Column, Contract, load_contracts, normalise_header
from marmot.problems import FileProblem, Problem
from marmot.readers import file_format, load
from marmot.settings import GEOGRAPHY_SEEDS_DIR, Paths, pseudonym_key

log = logging.getLogger(__name__)

SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "boolean": "BOOLEAN"}
TRUE_WORDS = ("Y", "YES", "TRUE", "T", "1")
FALSE_WORDS = ("N", "NO", "FALSE", "F", "0")
WITHHELD = "[personal data withheld]"
REJECT_VALUE_CHARS = 200


def _reference_codes() -> dict[str, list[str]]:
    """Reference code lists a contract column can be checked against."""
    with open(GEOGRAPHY_SEEDS_DIR / "lsoa21_imd2025.csv", newline="") as f:
        lsoa21 = [r["lsoa21_code"] for r in csv.DictReader(f)]
    with open(GEOGRAPHY_SEEDS_DIR / "lsoa11_imd2019.csv", newline="") as f:
        lsoa11 = [r["lsoa11_code"] for r in csv.DictReader(f)]
    return {"coventry_lsoa21": lsoa21, "coventry_lsoa11": lsoa11}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _typed(col: Column, v: str) -> str:
    """SQL converting the cleaned text ``v`` to the column's type (NULL when it does not convert)."""
    if col.type == "integer":
        return f"TRY_CAST({v} AS BIGINT)"
    if col.type == "number":
        return f"TRY_CAST({v} AS DOUBLE)"
    if col.type == "date":
        fmts = ", ".join(_lit(f) for f in col.date_formats)
        return f"CAST(try_strptime({v}, [{fmts}]) AS DATE)"
    if col.type == "boolean":
        t = ", ".join(map(_lit, TRUE_WORDS))
        f = ", ".join(map(_lit, FALSE_WORDS))
        return f"CASE WHEN upper({v}) IN ({t}) THEN TRUE WHEN upper({v}) IN ({f}) THEN FALSE END"
    if col.allowed:  # canonical spelling of allowed values, whatever the case sent
        cases = " ".join(f"WHEN lower({v}) = {_lit(a.lower())} THEN {_lit(a)}" for a in col.allowed)
        return f"CASE {cases} END"
    return v


def _checks(col: Column, v: str, typed: str) -> list[tuple[str, str, str]]:
    """(SQL condition that flags a bad value, problem code, message) for one column."""
    checks = []
    if col.required:
        checks.append((f"{v} IS NULL", "missing_value", f"'{col.name}' is required but empty"))
    if col.type != "string":
        code = {"integer": "not_a_number", "number": "not_a_number", "date": "not_a_date", "boolean": "not_a_boolean"}[col.type]
        checks.append((f"{v} IS NOT NULL AND {typed} IS NULL", code, f"'{col.name}' must be a {col.type}"))
    if col.allowed:
        checks.append((f"{v} IS NOT NULL AND {typed} IS NULL", "not_allowed",
                       f"'{col.name}' must be one of: {', '.join(col.allowed)}"))
    if col.pattern:
        checks.append((f"{v} IS NOT NULL AND NOT regexp_full_match({v}, {_lit(col.pattern)})", "bad_pattern",
                       f"'{col.name}' must match {col.pattern}"))
    if col.minimum is not None:
        checks.append((f"{typed} < {col.minimum}", "out_of_range", f"'{col.name}' must be at least {col.minimum}"))
    if col.maximum is not None:
        checks.append((f"{typed} > {col.maximum}", "out_of_range", f"'{col.name}' must be at most {col.maximum}"))
    if col.check == "nhs_number":
        checks.append((f"{v} IS NOT NULL AND regexp_full_match({v}, '[0-9]{{10}}') AND NOT {_nhs_mod11(v)}",
                       "bad_check_digit", f"'{col.name}' fails the NHS number check digit (modulus 11)"))
    if col.reference:
        checks.append((f"{v} IS NOT NULL AND {v} NOT IN (SELECT code FROM ref_{col.reference})", "not_in_reference",
                       f"'{col.name}' is not a code in {col.reference}"))
    return checks


def _nhs_mod11(v: str) -> str:
    """SQL: the 10th digit of an NHS number equals 11 - (weighted sum mod 11), 11 -> 0, 10 invalid."""
    total = " + ".join(f"{10 - i} * CAST(substr({v}, {i + 1}, 1) AS INTEGER)" for i in range(9))
    check = f"(11 - (({total}) % 11))"
    return (f"(CASE WHEN {check} = 11 THEN 0 WHEN {check} = 10 THEN -1 ELSE {check} END) "
            f"= CAST(substr({v}, 10, 1) AS INTEGER)")


def _output_expr(col: Column, typed: str) -> str:
    personal = col.personal or {}
    if personal.get("treatment") == "pseudonymise":
        return f"pseudonym({typed})"
    if personal.get("treatment") == "generalise":
        if col.type != "date":
            raise ValueError(f"{col.name}: only dates can be generalised (to a month)")
        return f"strftime({typed}, '%Y-%m')"
    return typed


def _register_pseudonym(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    def pseudonym(values: pa.Array) -> pa.Array:
        return pa.array(
            [None if s is None else hmac.new(key, s.encode(), hashlib.sha256).hexdigest() for s in values.to_pylist()],
            type=pa.string(),
        )

    con.create_function("pseudonym", pseudonym, ["VARCHAR"], "VARCHAR", type="arrow")


def _write_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    con.execute(f"COPY ({sql}) TO {_lit(str(tmp))} (FORMAT parquet)")
    os.replace(tmp, path)


def empty_batch_sql(contract: Contract) -> str:
    """A zero-row query with the warehouse schema of a dataset (so dbt sources always resolve)."""
    cols = [
        f"CAST(NULL AS {'VARCHAR' if c.personal else SQL_TYPES[c.type]}) AS {_q(c.output_name)}"
        for c in contract.stored_columns()
    ]
    return (f"SELECT {', '.join(cols)}, CAST(NULL AS VARCHAR) AS _batch_id, CAST(NULL AS BIGINT) AS _source_row, "
            "CAST(NULL AS TIMESTAMPTZ) AS _received_at LIMIT 0")


class Ingestor:
    """Ingests landed files for a platform home."""

    def __init__(self, paths: Paths, contracts: dict[str, Contract] | None = None):
        self.paths = paths
        self.contracts = contracts if contracts is not None else load_contracts()
        self._refs = _reference_codes()
        # fail before touching any file when the pseudonym key is missing (not the partner's fault)
        needs_key = any(c.personal and c.personal["treatment"] == "pseudonymise"
                        for ct in self.contracts.values() for c in ct.columns)
        self._key = pseudonym_key() if needs_key else b""

    # -- discovery -------------------------------------------------------------------------
    def landed_files(self, partner: str | None = None, dataset: str | None = None) -> list[Path]:
        root = self.paths.landing
        if not root.exists():
            return []
        files = [
            p for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".part", ".tmp"))
        ]
        selected = []
        for p in sorted(files):
            parts = p.relative_to(root).parts
            if partner and parts[0] != partner:
                continue
            if dataset and (len(parts) < 3 or parts[1] != dataset):
                continue
            selected.append(p)
        return selected

    def run(self, partner: str | None = None, dataset: str | None = None) -> list[ledger.Entry]:
        entries = []
        files = self.landed_files(partner, dataset)
        for i, path in enumerate(files, 1):
            entry = self.ingest_file(path)
            log.info("[%d/%d] %s/%s %s: %s (%d loaded, %d rejected)", i, len(files), entry.partner,
                     entry.dataset, entry.original_name, entry.status, entry.rows_loaded, entry.rows_rejected)
            entries.append(entry)
        return entries

    # -- one file ----------------------------------------------------------------------------
    def ingest_file(self, path: Path) -> ledger.Entry:
        parts = path.relative_to(self.paths.landing).parts
        partner = parts[0] if len(parts) >= 2 else "_unknown"
        dataset = parts[1] if len(parts) >= 3 else "_unknown"
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        received = datetime.now(timezone.utc)
        batch_id = f"{received:%Y%m%dT%H%M%S%fZ}-{sha[:12]}"
        archive_path = self._archive(path, partner, dataset, batch_id, data)
        entry = ledger.Entry(
            batch_id=batch_id, partner=partner, dataset=dataset, original_name=path.name, sha256=sha,
            bytes=len(data), received_at=received.isoformat(), status="quarantined",
            archive_path=str(archive_path.relative_to(self.paths.home)),
        )
        try:
            self._check_and_load(path, entry, archive_path)
        except FileProblem as exc:
            entry.status = "quarantined"
            entry.reasons.append(exc.problem.as_dict())
            entry.rows_loaded = 0
            entry.rows_rejected = entry.rows_in
        except Exception as exc:  # a bug or an unforeseen file must not stop the run or lose the file
            log.exception("unexpected error ingesting %s", path)
            entry.status = "quarantined"
            entry.reasons.append(Problem("unreadable", f"{path.name} could not be processed: {exc}").as_dict())
            entry.rows_loaded = 0
            entry.rows_rejected = entry.rows_in
        entry.receipt_path = str(receipts.write(self.paths, entry).relative_to(self.paths.home))
        ledger.write(self.paths.ledger, entry)
        path.unlink()
        return entry

    def _archive(self, path: Path, partner: str, dataset: str, batch_id: str, data: bytes) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", path.name).lstrip(".") or "file"
        target = self.paths.archive / partner / dataset / f"{batch_id}__{safe}"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        target.chmod(0o444)
        return target

    def _check_and_load(self, path: Path, entry: ledger.Entry, archived: Path) -> None:
        if entry.partner == "_unknown" or entry.dataset == "_unknown":
            raise FileProblem("not_in_dataset_folder", f"{path.name} is not inside landing/<partner>/<dataset>/.")
        contract = self.contracts.get(f"{entry.partner}__{entry.dataset}")
        if contract is None:
            raise FileProblem(
                "unknown_dataset",
                f"There is no contract for partner '{entry.partner}' and dataset '{entry.dataset}'.",
            )
        if entry.bytes == 0:
            raise FileProblem("empty_file", f"{path.name} is empty (0 bytes).")
        earlier = [e for e in ledger.read_all(self.paths.ledger, entry.partner, entry.dataset)
                   if e.sha256 == entry.sha256 and e.status in (*ledger.LOADED, "superseded")]
        if earlier:
            entry.status = "duplicate"
            entry.reasons.append({"code": "duplicate", "column": None, "fix": "Nothing to do.",
                                  "message": f"The same content was already received as "
                                             f"'{earlier[0].original_name}' (batch {earlier[0].batch_id}); not loaded again."})
            return
        fmt = file_format(path)
        if fmt is None or fmt not in contract.formats:
            raise FileProblem("unsupported_format",
                              f"{path.name}: '{path.suffix or 'no extension'}' is not accepted; send {', '.join(contract.formats)}.")
        con = duckdb.connect()
        try:
            self._load(con, archived, fmt, contract, entry)
        finally:
            con.close()

    def _load(self, con: duckdb.DuckDBPyConnection, path: Path, fmt: str, contract: Contract,
              entry: ledger.Entry) -> None:
        all_headers = set().union(*(c.header_names() for c in contract.columns))
        source_columns = load(con, path, fmt, sheet=contract.transport.get("sheet"), headers=all_headers)
        entry.rows_in = con.execute("SELECT count(*) FROM src").fetchone()[0]
        mapping: dict[str, str] = {}
        for src in source_columns:
            col = next((c for c in contract.columns if normalise_header(src) in c.header_names()), None)
            if col is None:
                entry.reasons.append(Problem("extra_column", f"Column '{src}' is not in the contract and was ignored.", src).as_dict())
            elif col.name not in mapping:
                mapping[col.name] = src
        missing = [c.name for c in contract.columns if c.required and c.name not in mapping]
        if missing:
            raise FileProblem(
                "missing_required_column",
                f"Required column(s) missing: {', '.join(missing)}. Found: {', '.join(source_columns)}.",
                ", ".join(missing),
            )
        for name, codes in self._refs.items():
            con.execute(f"CREATE TABLE ref_{name} AS SELECT unnest(?::VARCHAR[]) AS code", [codes])
        if any(c.personal and c.personal["treatment"] == "pseudonymise" for c in contract.columns):
            _register_pseudonym(con, self._key)

        reject_selects, outputs = [], []
        for col in contract.stored_columns() + [c for c in contract.columns if c not in contract.stored_columns()]:
            if col.name not in mapping:
                if col in contract.stored_columns():
                    outputs.append(f"CAST(NULL AS {SQL_TYPES[col.type]}) AS {_q(col.output_name)}")
                continue
            v = f"nullif(trim({_q(mapping[col.name])}), '')"
            if col.normalise == "upper":
                v = f"upper({v})"
            typed = _typed(col, v)
            shown = _lit(WITHHELD) if col.personal else f"left({_q(mapping[col.name])}, {REJECT_VALUE_CHARS})"
            for cond, code, message in _checks(col, v, typed):
                reject_selects.append(
                    f"SELECT _row AS row_number, {_lit(col.name)} AS column_name, {shown} AS value, "
                    f"{_lit(code)} AS code, {_lit(message)} AS reason FROM src WHERE {cond}"
                )
            if col in contract.stored_columns():
                outputs.append(f"{_output_expr(col, typed)} AS {_q(col.output_name)}")
        con.execute(
            "CREATE TABLE rejects AS " + " UNION ALL ".join(reject_selects)
            if reject_selects else
            "CREATE TABLE rejects AS SELECT NULL::BIGINT AS row_number, NULL AS column_name, NULL AS value, "
            "NULL AS code, NULL AS reason LIMIT 0"
        )
        entry.rows_rejected = con.execute("SELECT count(DISTINCT row_number) FROM rejects").fetchone()[0]
        entry.rows_loaded = entry.rows_in - entry.rows_rejected
        batch = _lit(entry.batch_id)
        accepted_sql = (
            f"SELECT {', '.join(outputs)}, {batch} AS _batch_id, _row AS _source_row, "
            f"CAST({_lit(entry.received_at)} AS TIMESTAMPTZ) AS _received_at FROM src "
            "WHERE _row NOT IN (SELECT row_number FROM rejects) ORDER BY _row"
        )
        if entry.rows_rejected:
            _write_parquet(
                con,
                f"SELECT {batch} AS batch_id, {_lit(entry.original_name)} AS file_name, * FROM rejects "
                "ORDER BY row_number, column_name",
                self.paths.rejects / entry.partner / entry.dataset / f"{entry.batch_id}.parquet",
            )
            entry.reasons.extend(self._row_problem_summary(con))
        if entry.rows_loaded == 0:
            raise FileProblem("no_data_rows", f"{entry.original_name}: every row has a problem; nothing was loaded.")
        _write_parquet(con, accepted_sql, self.paths.raw / entry.partner / entry.dataset / f"{entry.batch_id}.parquet")
        period = contract.column(contract.period_column).output_name
        entry.periods = [r[0] for r in con.execute(
            f"SELECT DISTINCT CAST({_q(period)} AS VARCHAR) FROM ({accepted_sql}) ORDER BY 1").fetchall()]
        entry.status = "accepted_with_warnings" if entry.reasons else "accepted"
        self._supersede_earlier(entry)

    @staticmethod
    def _row_problem_summary(con: duckdb.DuckDBPyConnection) -> list[dict]:
        """One reason per (column, problem) with a count and the first rows, for the receipt."""
        rows = con.execute(
            "SELECT column_name, code, any_value(reason), count(*), list(row_number ORDER BY row_number)[1:5] "
            "FROM rejects GROUP BY ALL ORDER BY min(row_number)"
        ).fetchall()
        return [
            {**Problem(code, f"{reason} ({n} row{'s' if n > 1 else ''}, e.g. row {', '.join(map(str, first))})",
                       column).as_dict(), "rows": n, "example_rows": first}
            for column, code, reason, n, first in rows
        ]

    def _supersede_earlier(self, entry: ledger.Entry) -> None:
        """A re-sent period supersedes earlier batches whose periods it fully covers; history is kept."""
        covered = set(entry.periods)
        for old in ledger.read_all(self.paths.ledger, entry.partner, entry.dataset):
            if old.status in ledger.LOADED and old.periods and set(old.periods) <= covered:
                old.status = "superseded"
                old.superseded_by = entry.batch_id
                ledger.write(self.paths.ledger, old)


def ensure_schema_files(paths: Paths, contracts: dict[str, Contract]) -> None:
    """Give every dataset a zero-row ``_schema.parquet`` so dbt sources resolve before data arrives."""
    con = duckdb.connect()
    try:
        for c in contracts.values():
            target = paths.raw / c.partner / c.dataset / "_schema.parquet"
            if not target.exists():
                _write_parquet(con, empty_batch_sql(c), target)
    finally:
        con.close()


def copy_into_landing(src: Path, landing: Path) -> list[Path]:
    """Land a folder of partner files (``<partner>/<dataset>/<file>``) as a partner's drop would."""
    landed = []
    for f in sorted(p for p in src.rglob("*") if p.is_file()):
        target = landing / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name("." + target.name + ".part")
        shutil.copyfile(f, tmp)
        os.replace(tmp, target)
        landed.append(target)
    return landed
