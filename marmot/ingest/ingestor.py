"""Ingest landed partner files: check against the contract, archive, load, record, receipt.

For every file in ``landing/<partner>/<dataset>/`` (claimed first by an atomic rename into
``landing/.processing/<owner>/``, so parallel runs never take the same file and a crashed run's
files are picked up again):
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

import contextlib
import csv
import errno
import hashlib
import itertools
import logging
import os
import re
import shutil
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from marmot import crash
from marmot.atomic import PRIVATE, READ_ONLY_PRIVATE, private_dirs, replacing
from marmot.contracts import LOCAL_TIMEZONE, PERIOD_TYPES, Column, Contract, load_contracts, normalise_header, wording
from marmot.contracts.periods import latest_period
from marmot.contracts.wording import Wording
from marmot.ingest import ledger, receipts
from marmot.ingest.problems import FileProblem, Problem
from marmot.ingest.readers import drop_loaded, file_format, load
from marmot.ingest.readers import sql_string as _lit
from marmot.ingest.worker import Reader, unexpected
from marmot.land.claims import Claimed, Claims, claim_each, waiting_files
from marmot.settings import (
    Paths,
    geography_seeds_dir,
    ingest_memory_limit,
    ingest_workers,
    pseudonym_key,
    restatement_max_drop,
)

log = logging.getLogger(__name__)

SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "boolean": "BOOLEAN"}
TRUE_WORDS = ("Y", "YES", "TRUE", "T", "1")
FALSE_WORDS = ("N", "NO", "FALSE", "F", "0")
WITHHELD = "[personal data withheld]"
REJECT_VALUE_CHARS = 20  # of a bad value in rejects: a code, date, number or period fits; a note typed in does not
ARCHIVE_NAME_CHARS = 120  # plus the batch id: well within the usual 255-byte limit of a file name
# what partners write instead of a small count: *, c, x, ~, .., -, <5, < 10
SUPPRESSED = r"(\*|c|x|~|\.\.|-|<\s*[0-9]+)"


def reference_codes() -> dict[str, list[str]]:
    """Reference code lists a contract column can be checked against."""
    seeds = geography_seeds_dir()
    with open(seeds / "lsoa21_imd2025.csv", newline="") as f:
        lsoa21 = [r["lsoa21_code"] for r in csv.DictReader(f)]
    with open(seeds / "lsoa11_imd2019.csv", newline="") as f:
        lsoa11 = [r["lsoa11_code"] for r in csv.DictReader(f)]
    return {"coventry_lsoa21": lsoa21, "coventry_lsoa11": lsoa11}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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


def _checks(col: Column, v: str, typed: str, contract: Contract | None = None,
            header: str | None = None) -> list[tuple[str, Wording]]:
    """(SQL condition that flags a bad value, the check in words) for one column. One value gets one problem:
    a value not in the column's form is not also reported as missing from its reference list."""
    def words(code: str, **kw) -> Wording:
        return wording.check(code, col, contract, header, **kw)

    checks = []
    if col.required:
        checks.append((f"{v} IS NULL", words("missing_value")))
    if col.type in ("integer", "number"):
        suppressed = f"regexp_full_match({v}, {_lit(SUPPRESSED)}, 'i')"
        # the cast is tested first: a condition in CASE WHEN stops at its first false term, so
        # the regular expression only runs on the (rare) values that are not numbers
        checks.append((f"{typed} IS NULL AND {v} IS NOT NULL AND {suppressed}", words("suppressed_value")))
        checks.append((f"{typed} IS NULL AND {v} IS NOT NULL AND NOT {suppressed}", words("not_a_number")))
    elif col.type != "string":
        code = {"date": "not_a_date", "boolean": "not_a_boolean"}[col.type]
        checks.append((f"{v} IS NOT NULL AND {typed} IS NULL", words(code)))
    if col.type == "date":
        checks.append((f"{typed} > current_date", words("future_date")))
    if col.allowed:
        checks.append((f"{v} IS NOT NULL AND {typed} IS NULL", words("not_allowed")))
    if col.pattern:
        checks.append((f"{v} IS NOT NULL AND NOT regexp_full_match({v}, {_lit(col.pattern)})", words("bad_pattern")))
    if col.minimum is not None:
        checks.append((f"{typed} < {col.minimum}", words("out_of_range", bound="minimum")))
    if col.maximum is not None:
        checks.append((f"{typed} > {col.maximum}", words("out_of_range", bound="maximum")))
    if col.check == "nhs_number":
        checks.append((f"{v} IS NOT NULL AND regexp_full_match({v}, '[0-9]{{10}}') AND NOT {nhs_mod11(v)}",
                       words("bad_check_digit")))
    if col.reference:
        # ref_<name> is an ENUM of the codes: a cast is a hash lookup, where IN (SELECT ...) planned a join per file
        in_form = f" AND regexp_full_match({v}, {_lit(col.pattern)})" if col.pattern else ""
        checks.append((f"{v} IS NOT NULL{in_form} AND TRY_CAST({v} AS ref_{col.reference}) IS NULL",
                       words("not_in_reference")))
    return checks


PERIOD_CODES = ("future_period", "before_first_period")  # their receipt reasons name the periods found


def _period_checks(contract: Contract, v: str, received_at: str, header: str | None = None
                   ) -> list[tuple[str, Wording]]:
    """(condition, the check in words) for the period column: a row's period must have started on the (London)
    day its file arrived, or be at most ``schedule.periods_ahead`` periods later (forecasts), and not be
    before ``schedule.first_period``. Labels of one period type sort in time order; a value that is not a
    period label is left to the column's pattern."""
    day = datetime.fromisoformat(received_at).astimezone(LOCAL_TIMEZONE).date()
    latest, first = latest_period(contract, day), contract.schedule.first_period
    label = f"regexp_full_match({v}, {_lit(PERIOD_TYPES[contract.schedule.period_type][0])})"

    def words(code: str) -> Wording:
        return wording.period_check(code, contract, header, received=day.isoformat(), latest=latest, first=first)

    checks = [(f"{label} AND {v} > {_lit(latest)}", words("future_period"))]
    if first:
        checks.append((f"{label} AND {v} < {_lit(first)}", words("before_first_period")))
    return checks


# a row per problem of a rejected row: ``reason`` completes "The value ...", ``header`` is the column as the
# partner named it, ``expected`` and ``action`` are in words (marmot.contracts.wording); ``personal``: value withheld
REJECT_COLUMNS = ("row_number BIGINT, column_name VARCHAR, value VARCHAR, code VARCHAR, reason VARCHAR, "
                  "header VARCHAR, expected VARCHAR, action VARCHAR, personal BOOLEAN")


def _create_rejects(con: duckdb.DuckDBPyConnection, checks: list[tuple[str, str, str, Wording, str, bool]],
                    failed: bool, duplicates: str | None) -> None:
    """Table ``rejects``: a row per failed (check, column, shown value, words, header, personal), plus the
    rows of the ``duplicates`` query.

    ``clean._checks`` already lists the checks each row fails (computed in the pass that typed
    it); the reasons, and the values as the partner sent them (from ``src``), are only put
    together for rows that ``failed`` (usually none)."""
    con.execute(f"CREATE TABLE rejects ({REJECT_COLUMNS})")
    if failed:
        shown = list(dict.fromkeys(shown for _, _, shown, _, _, _ in checks))
        info = ", ".join(f"({i}, {_lit(column)}, {shown.index(s) + 1}, {_lit(w.code)}, {_lit(w.problem)}, "
                         f"{_lit(header)}, {_lit(w.expected)}, {_lit(w.action)}, {personal})"
                         for i, (_, column, s, w, header, personal) in enumerate(checks))
        con.execute(
            f"INSERT INTO rejects SELECT _row, m.column_name, [{', '.join(f'CAST({s} AS VARCHAR)' for s in shown)}]"
            f"[m.shown], m.code, m.reason, m.header, m.expected, m.action, m.personal "
            f"FROM (SELECT _row, unnest(_checks) AS i FROM clean WHERE len(_checks) > 0) JOIN src USING (_row) "
            f"JOIN (VALUES {info}) m(i, column_name, shown, code, reason, header, expected, action, personal) "
            "USING (i)")
    if duplicates:
        con.execute(f"INSERT INTO rejects {duplicates}")


def _key_expressions(contract: Contract, mapping: dict[str, str]) -> list[str]:
    """The contract's key as compared within a file (empty when a key column was not sent)."""
    if not all(k in mapping for k in contract.key):
        return []
    return [f"upper(nullif(trim({_q(mapping[k])}), ''))" for k in contract.key]


def _duplicate_key_select(contract: Contract, keys: int, mapping: dict[str, str] | None = None) -> str:
    """Reject the repeats of a key (``clean._k0``...) within one file; the first row with the key is kept.

    Keys that repeat are found by grouping (no sort of the whole file); only their rows are joined back."""
    names = ", ".join(contract.key)
    headers = [(mapping or {}).get(k, k) for k in contract.key]
    w = wording.duplicate_key(contract, headers)
    columns = [f"_k{i}" for i in range(keys)]
    repeated = f"SELECT {', '.join(columns)}, min(_row) AS first FROM clean GROUP BY ALL HAVING count(*) > 1"
    same_key = " AND ".join(f"clean.{k} IS NOT DISTINCT FROM d.{k}" for k in columns)
    return (f"SELECT _row AS row_number, {_lit(names)} AS column_name, 'same as row ' || d.first AS value, "
            f"'duplicate_key' AS code, {_lit(w.problem)} AS reason, {_lit(', '.join(headers))} AS header, "
            f"{_lit(w.expected)} AS expected, {_lit(w.action)} AS action, false AS personal "
            f"FROM clean JOIN ({repeated}) d ON {same_key} AND _row > d.first")


def _file_summary(con: duckdb.DuckDBPyConnection, keys: int, formulas: int,
                  period: str) -> tuple[int, int, list[int], list[str]]:
    """One aggregate over ``clean``: rows that failed a check, rows repeating a key, the counts of
    formula-like cells, and the periods of the rows that passed every check (the periods loaded,
    unless a key repeats: see ``_load``)."""
    repeats = f"count(*) - count(DISTINCT row({', '.join(f'_k{i}' for i in range(keys))}))" if keys else "0"
    counts = con.execute(
        f"SELECT count(*) FILTER (WHERE len(_checks) > 0), {repeats}, "
        f"list(DISTINCT CAST({period} AS VARCHAR)) FILTER "
        f"(WHERE len(_checks) = 0 AND {period} IS NOT NULL)"
        f"{''.join(f', count(*) FILTER (WHERE _f{j})' for j in range(formulas))} FROM clean").fetchone()
    return counts[0], counts[1], list(counts[3:]), sorted(counts[2] or [])


def _raise_if_every_row_is_out_of_period(entry: ledger.Entry) -> None:
    """Quarantine a file whose every row holds a period it may not, for that reason (naming the periods, the
    day received and what to do) rather than as a file of bad rows."""
    for reason in entry.reasons:
        if reason["code"] in PERIOD_CODES and reason["rows"] == entry.rows_in:
            entry.reasons.remove(reason)
            raise FileProblem(reason["code"], f"{entry.original_name}: every row was rejected. {reason['message']}",
                              reason["column"], action=reason.get("action"), expected=reason.get("expected"),
                              column_in_file=reason.get("column_in_file"))


def _formula_warnings(checks: list[tuple[str, str]], counts: list[int]) -> list[dict]:
    """Text cells starting = + - @ load as text; tell the partner (CSV exports escape them)."""
    return [
        Problem("formula_like_text", f"{n} value(s) in '{name}' begin with =, +, - or @; they were loaded as "
                                     "plain text and are escaped in any CSV we publish.", name).as_dict()
        for (name, _), n in zip(checks, counts, strict=False) if n
    ]


def row_problem(code: str, column: str, reason: str, header: str, expected: str, action: str, personal: bool,
                n: int, first: list[int], values: list) -> dict:
    """The receipt's reason for one kind of row problem in one column: ``n`` rows, the first ones with their
    values (none of personal data), in one sentence with what was expected, and what to do."""
    examples = [f"row {r:,}" + ("" if personal else " (empty)" if v is None else f" ('{v}')")
                for r, v in zip(first, values, strict=False)]
    subject = "" if code == "duplicate_key" else f"column '{header}' "
    message = (f"{n:,} row{'s' if n > 1 else ''}: {subject}{reason}; e.g. {', '.join(examples)}. "
               f"Expected: {expected}.")
    problem = Problem(code, message, column, action=action, expected=expected, column_in_file=header)
    return {**problem.as_dict(), "level": "row", "rows": n, "example_rows": first,
            "example_values": [] if personal else list(values)}


def nhs_mod11(v: str) -> str:
    """SQL: the 10th digit of an NHS number equals (11 - weighted sum of digits 1-9 mod 11) mod 11.

    A remainder giving 10 can never equal a digit, so such numbers fail as they should. One dot
    product rather than nine substrings: the expression is planned for every file."""
    # total on any text (SQL does not short-circuit the caller's 'ten digits' test): pad, non-digits as 0
    digits = f"list_transform(string_split(rpad(left({v}, 9), 9, '0'), ''), d -> coalesce(TRY_CAST(d AS DOUBLE), 0))"
    total = f"list_dot_product([10, 9, 8, 7, 6, 5, 4, 3, 2]::DOUBLE[], {digits})"
    return f"(11 - CAST({total} AS INTEGER) % 11) % 11 = TRY_CAST(substr({v}, 10, 1) AS INTEGER)"


def _output_expr(col: Column, typed: str) -> str:
    treatment = col.personal.treatment if col.personal else None
    if treatment == "pseudonymise":
        return f"pseudonym({typed})"
    if treatment == "generalise":
        if col.type != "date":
            raise ValueError(f"{col.name}: only dates can be generalised (to a month)")
        return f"strftime({typed}, '%Y-%m')"
    return typed


def register_pseudonym(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """The SQL macro ``pseudonym(v)``: HMAC-SHA256 (RFC 2104) of ``v`` under ``key``, as hex.

    Computed by DuckDB itself (in parallel, no Python per value). The padded key never appears
    in SQL text or an error message: DuckDB reads it from an in-memory file (Linux ``memfd``,
    never on disk), or else takes it as a query parameter. A parameter costs 0.3 s in a process
    that has bound none yet (DuckDB imports pandas), a third of an Airflow task's one-file ingest."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    pads = bytes(b ^ 0x36 for b in block).hex() + bytes(b ^ 0x5C for b in block).hex()
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("marmot-pseudonym-key", os.MFD_CLOEXEC)
        try:
            os.write(fd, pads.encode())
            con.execute(f"CREATE TEMP TABLE pseudonym_key AS SELECT unhex(content[1:128]) AS ipad, "
                        f"unhex(content[129:256]) AS opad FROM read_text('/proc/self/fd/{fd}')")
        finally:
            os.close(fd)
    else:
        con.execute("CREATE TEMP TABLE pseudonym_key AS SELECT unhex(?[1:128]) AS ipad, unhex(?[129:256]) AS opad",
                    [pads, pads])
    con.execute("CREATE TEMP MACRO pseudonym(v) AS sha256((SELECT opad FROM pseudonym_key) "
                "|| unhex(sha256((SELECT ipad FROM pseudonym_key) || encode(v))))")


def _write_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path, mode: int | None = None) -> None:
    with replacing(path, mode) as tmp:
        con.execute(f"COPY ({sql}) TO {_lit(str(tmp))} (FORMAT parquet)")


def empty_batch_sql(contract: Contract) -> str:
    """A zero-row query with the warehouse schema of a dataset (so dbt sources always resolve)."""
    cols = [
        f"CAST(NULL AS {'VARCHAR' if c.personal else SQL_TYPES[c.type]}) AS {_q(c.output_name)}"
        for c in contract.stored_columns()
    ]
    return (f"SELECT {', '.join(cols)}, CAST(NULL AS VARCHAR) AS _batch_id, CAST(NULL AS BIGINT) AS _source_row, "
            "CAST(NULL AS TIMESTAMPTZ) AS _received_at LIMIT 0")


KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a device",
         stat.S_IFBLK: "a device", stat.S_IFDIR: "a folder", stat.S_IFSOCK: "a socket"}


COPY_CHUNK = 1 << 20  # archiving streams the file: its size does not decide the memory an ingest needs


@dataclass(frozen=True)
class Copied:
    """A landed file copied (unfinished, ``tmp``) into its dataset's archive folder, with its hash and size."""

    tmp: Path
    sha256: str
    size: int


def _copy_regular_file(path: Path, folder: Path) -> Copied | str:
    """Copy a regular file into ``folder`` under a temporary name, hashing it on the way (a chunk at a time); or
    say what the entry is instead (then nothing was opened, or nothing read).

    ``lstat`` before opening (opening a fifo or device can block or act); ``O_NOFOLLOW`` and the ``fstat`` of
    what was opened close the window in which it could be swapped for a link. A file with more than one name
    (a hard link) may be a file from outside the landing area: it is refused unread like a symbolic link."""
    mode = path.lstat().st_mode
    if stat.S_ISREG(mode):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            mode = stat.S_IFLNK
        else:
            with open(fd, "rb") as f:
                opened = os.fstat(fd)
                mode = opened.st_mode
                if stat.S_ISREG(mode) and opened.st_nlink > 1:
                    return "a hard link (the same file has another name, which may be outside the landing area)"
                if stat.S_ISREG(mode):
                    return _stream_copy(f, folder)
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _stream_copy(source, folder: Path) -> Copied:
    digest, size = hashlib.sha256(), 0
    tmp = folder / f".incoming-{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE), "wb") as out:
            while chunk := source.read(COPY_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Copied(tmp, digest.hexdigest(), size)


def _mark_duplicate(entry: ledger.Entry, earlier: str) -> None:
    entry.status = "duplicate"
    entry.reasons.append(Problem("duplicate_file", f"The same content was already received as {earlier}; "
                                                   "not loaded again.").as_dict())


def _files_ending(folder: Path, ending: str) -> list[Path]:
    """The files of ``folder`` whose names end ``ending`` (none when it does not exist)."""
    try:
        with os.scandir(folder) as found:
            return [Path(e.path) for e in found if e.name.endswith(ending)]
    except FileNotFoundError:
        return []


def _group_bytes(files: tuple[list, list]) -> int:
    """A dataset's bytes waiting: the biggest datasets start first, so no thread is left
    loading a big one alone at the end while the others idle."""
    total = 0
    for path in [claimed.path for claimed in files[0]] + files[1]:
        with contextlib.suppress(FileNotFoundError):  # taken by another run meanwhile
            total += path.stat().st_size
    return total


class Ingestor:
    """Ingests landed files for a platform home.

    Datasets are loaded by ``MARMOT_INGEST_WORKERS`` threads at once (DuckDB works outside the
    GIL), the files of one dataset in order, so restatements supersede in the order received.
    Each thread keeps one in-memory DuckDB connection for all its files."""

    def __init__(self, paths: Paths, contracts: dict[str, Contract] | None = None):
        self.paths = paths
        self.contracts = contracts if contracts is not None else load_contracts()
        self._refs = reference_codes()
        # fail before touching any file when the pseudonym key is missing (not the partner's fault)
        self._key = pseudonym_key() if any(c.pseudonymises for c in self.contracts.values()) else b""
        self._local = threading.local()
        self._connections: list[duckdb.DuckDBPyConnection] = []
        self._readers: list[Reader] = []
        self._threads = 1

    # -- discovery and claiming -----------------------------------------------------------
    def run(self, partner: str | None = None, dataset: str | None = None) -> list[ledger.Entry]:
        """Claim and ingest every waiting file (and any a crashed run left claimed)."""
        with Claims(self.paths.landing) as claims:
            recovered = claims.recover(partner, dataset)
            waiting = waiting_files(self.paths.landing, partner, dataset, others=True)
            groups: dict[tuple[str, ...], tuple[list, list]] = {}
            for item in recovered:
                groups.setdefault(item[1].parts[:2], ([], []))[0].append(item)
            for path in waiting:
                groups.setdefault(path.relative_to(self.paths.landing).parts[:2], ([], []))[1].append(path)
            total, done = len(recovered) + len(waiting), itertools.count(1)
            workers = min(ingest_workers(), len(groups)) or 1
            self._threads = max(1, (os.cpu_count() or 1) // workers)

            def ingest_group(files: tuple[list, list]) -> list[ledger.Entry]:
                entries = []
                for claimed in claim_each(claims, *files):
                    entry = self.ingest_file(claimed)
                    log.info("[%d/%d] %s/%s %r: %s (%d loaded, %d rejected)", next(done), total, entry.partner,
                             entry.dataset, entry.original_name, entry.status, entry.rows_loaded,
                             entry.rows_rejected)
                    entries.append(entry)
                return entries

            try:
                biggest_first = sorted(groups, key=lambda k: _group_bytes(groups[k]), reverse=True)
                with ThreadPoolExecutor(workers, thread_name_prefix="ingest") as pool:
                    results = dict(zip(biggest_first, pool.map(ingest_group, [groups[k] for k in biggest_first]),
                                       strict=False))
            finally:
                self._close_connections()
        return [e for k in sorted(results) for e in results[k]]

    def _connection(self, needs_key: bool = False) -> duckdb.DuckDBPyConnection:
        """This thread's DuckDB connection, with the reference code types and, once a contract
        needs it, ``pseudonym`` (``register_pseudonym``)."""
        con = getattr(self._local, "con", None)
        if con is None:
            # nothing spills to disk: a file that needs more memory than the limit is quarantined
            con = self._local.con = duckdb.connect(config={"threads": self._threads, "temp_directory": "",
                                                           "memory_limit": ingest_memory_limit()})
            self._connections.append(con)
            for name, codes in self._refs.items():  # our own seed files' codes, as literals
                con.execute(f"CREATE TYPE ref_{name} AS ENUM ({', '.join(_lit(c) for c in dict.fromkeys(codes) if c)})")
        if needs_key and not getattr(self._local, "keyed", False):
            register_pseudonym(con, self._key)
            self._local.keyed = True
        return con

    def _reader(self) -> Reader:
        """This thread's reader process (``marmot.ingest.worker``): files are checked and loaded there."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = Reader(self.paths, self.contracts, self._threads)
            self._readers.append(reader)
        if not reader.running:  # first use, or the last file crashed it
            reader.start()
        return reader

    def _close_connections(self) -> None:
        for con in self._connections:
            con.close()
        self._connections.clear()
        for reader in self._readers:
            reader.close()
        self._readers.clear()
        self._local = threading.local()

    # -- one file ----------------------------------------------------------------------------
    def ingest_file(self, claimed: Claimed) -> ledger.Entry:
        """Ingest one claimed file."""
        path, parts = claimed.path, claimed.rel.parts
        partner = parts[0] if len(parts) >= 2 else "_unknown"
        dataset = parts[1] if len(parts) >= 3 else "_unknown"
        received = claimed.received
        copied = _copy_regular_file(path, private_dirs(self.paths.archive, partner, dataset))
        if isinstance(copied, str):
            return self._refuse(path, partner, dataset, received, copied)
        batch_id = f"{received:%Y%m%dT%H%M%S%fZ}-{copied.sha256[:12]}"
        if recorded := ledger.read_all(self.paths.ledger, partner, dataset, batch_id):
            copied.tmp.unlink()
            return self._finish(path, recorded[0])
        archive_path = self._archive(path, copied.tmp, batch_id)
        entry = ledger.Entry(
            batch_id=batch_id, partner=partner, dataset=dataset, original_name=path.name, sha256=copied.sha256,
            bytes=copied.size, received_at=received.isoformat(), status="quarantined",
            archive_path=str(archive_path.relative_to(self.paths.home)),
        )
        reader = self._reader()  # outside the try: a reader that cannot start is no fault of the file
        try:
            if claimed.crashed_before:
                raise FileProblem("crashed_reader", f"{path.name}: the file crashed the reader (two ingest runs "
                                                    "stopped while reading it); nothing was loaded. Check that it "
                                                    "opens and is a plain export, then send it again.")
            with ledger.content_claim(self.paths.ledger, partner, dataset, copied.sha256) as first:
                replaced = None
                if first:
                    reader.check_and_load(path, entry)
                    replaced = self._warn_if_restatement_drops(entry)
                else:
                    _mark_duplicate(entry, "a file with the same content that another process is loading right now")
                receipt = receipts.write(self.paths, entry, self._contract_of(entry))
                entry.receipt_path = str(receipt.relative_to(self.paths.home))
                ledger.write(self.paths.ledger, entry)
            crash.point("ingest:recorded")
            if entry.status in ledger.LOADED:
                self._supersede_earlier(entry, replaced)
        except FileProblem as exc:
            self._quarantine(entry, exc.problem)
        except Exception as exc:  # a bug or an unforeseen file must not stop the run or lose the file
            log.exception("unexpected error ingesting %r", str(path))  # repr: a newline in a name forges no log line
            self._quarantine(entry, unexpected(path.name, exc))
        path.unlink()
        return entry

    def _finish(self, path: Path, entry: ledger.Entry) -> ledger.Entry:
        """Finish the work of a run that died after recording this file (the same claim, so the same batch):
        supersede what it replaces and remove it; its ledger record and receipt stand."""
        log.warning("%s/%s %r: recorded by a run that stopped before finishing; finishing it", entry.partner,
                    entry.dataset, entry.original_name)
        if entry.status in ledger.LOADED:
            self._supersede_earlier(entry)
        path.unlink()
        return entry

    def _refuse(self, path: Path, partner: str, dataset: str, received: datetime, kind: str) -> ledger.Entry:
        """Quarantine a landed entry that is no regular file, without reading it, and remove it."""
        token = hashlib.sha256(os.fsencode(path)).hexdigest()[:12]  # nothing was read: no content hash
        entry = ledger.Entry(
            batch_id=f"{received:%Y%m%dT%H%M%S%fZ}-{token}", partner=partner, dataset=dataset,
            original_name=path.name, sha256="", bytes=0, received_at=received.isoformat(),
            status="quarantined", archive_path="")
        self._quarantine(entry, Problem("not_a_file", f"{path.name} is {kind}: nothing was read from it. "
                                                      "Send the file itself (a plain copy)."))
        if stat.S_ISDIR(path.lstat().st_mode):
            shutil.rmtree(path)  # does not follow links inside
        else:
            path.unlink()
        return entry

    def _contract_of(self, entry: ledger.Entry) -> Contract | None:
        return self.contracts.get(f"{entry.partner}__{entry.dataset}")

    def _quarantine(self, entry: ledger.Entry, problem: Problem) -> None:
        entry.status = "quarantined"
        entry.reasons.append(problem.as_dict())
        entry.rows_loaded = 0
        entry.rows_rejected = entry.rows_in
        self._drop_batch_files(entry)
        receipt = receipts.write(self.paths, entry, self._contract_of(entry))
        entry.receipt_path = str(receipt.relative_to(self.paths.home))
        ledger.write(self.paths.ledger, entry)

    def _drop_batch_files(self, entry: ledger.Entry) -> None:
        """A quarantined batch leaves no rows in the warehouse (also when it failed after writing them)."""
        (self.paths.raw / entry.partner / entry.dataset / f"{entry.batch_id}.parquet").unlink(missing_ok=True)

    def _drop_orphans(self, entry: ledger.Entry) -> None:
        """Batches of this content written by a run that crashed before its ledger record (safe:
        the caller holds the content claim, so nobody else is loading these bytes now). The folders are
        listed with ``os.scandir``: a glob of a long history's folder, for every file, cost more."""
        for folder in (self.paths.raw, self.paths.rejects):
            for orphan in _files_ending(folder / entry.partner / entry.dataset, f"-{entry.sha256[:12]}.parquet"):
                if not ledger.entry_path(self.paths.ledger, entry, orphan.stem).exists():
                    log.warning("removing %s: written by an ingest that crashed before recording it", orphan)
                    orphan.unlink()

    @staticmethod
    def _archive(path: Path, copy: Path, batch_id: str) -> Path:
        """Name the copy of ``path`` in the archive ``<batch_id>__<name>``, read-only; a name longer than
        ``ARCHIVE_NAME_CHARS`` is shortened, with a hash of it, to stay within the file system's limit (the ledger
        keeps it whole)."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", path.name).lstrip(".") or "file"
        if len(safe) > ARCHIVE_NAME_CHARS:
            digest = hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]
            safe = f"{safe[:ARCHIVE_NAME_CHARS - 40]}-{digest}{path.suffix[:20]}"
        target = copy.parent / f"{batch_id}__{safe}"
        copy.chmod(READ_ONLY_PRIVATE)  # the partner's bytes, direct identifiers included
        os.replace(copy, target)
        return target

    def check_and_load(self, path: Path, entry: ledger.Entry) -> None:
        """Check one file against its contract and load it: runs in a reader process (``marmot.ingest.worker``)."""
        if entry.partner == "_unknown" or entry.dataset == "_unknown":
            raise FileProblem("not_in_dataset_folder", f"{path.name} is not inside landing/<partner>/<dataset>/.")
        contract = self.contracts.get(f"{entry.partner}__{entry.dataset}")
        if contract is None and not any(c.partner == entry.partner for c in self.contracts.values()):
            raise FileProblem("unknown_partner", f"There is no partner '{entry.partner}': files must be placed in "
                                                 "landing/<partner>/<dataset>/ under a known partner's folder.")
        if contract is None:
            raise FileProblem(
                "unknown_dataset",
                f"There is no contract for partner '{entry.partner}' and dataset '{entry.dataset}'.",
            )
        if entry.bytes == 0:
            raise FileProblem("empty_file", f"{path.name} is empty (0 bytes).")
        earlier = [e for e in ledger.read_all(self.paths.ledger, entry.partner, entry.dataset, f"-{entry.sha256[:12]}")
                   if e.sha256 == entry.sha256 and e.status in (*ledger.LOADED, "superseded")]
        if earlier:
            _mark_duplicate(entry, f"'{earlier[0].original_name}' (batch {earlier[0].batch_id})")
            return
        self._drop_orphans(entry)
        fmt = file_format(path)
        if fmt is None or fmt not in contract.formats:
            accepted = " or ".join(f.upper() for f in contract.formats)
            raise FileProblem("unsupported_format",
                              f"{path.name}: files ending '{path.suffix or '(no ending)'}' are not accepted; this "
                              f"dataset takes {accepted} files.",
                              action=f"Save the extract as {accepted} (a file ending "
                                     f"{' or '.join(f'.{f}' for f in contract.formats)}) and send it again.")
        con = self._connection(needs_key=contract.pseudonymises)
        try:
            self._load(con, path, fmt, contract, entry)
        except duckdb.OutOfMemoryException as exc:
            raise FileProblem("too_large", f"{path.name}: checking it needed more than the {ingest_memory_limit()} "
                                           "of memory the check of one file may use."
                              ) from exc
        finally:
            con.execute("DROP TABLE IF EXISTS clean; DROP TABLE IF EXISTS rejects")
            drop_loaded(con)

    def _load(self, con: duckdb.DuckDBPyConnection, path: Path, fmt: str, contract: Contract,
              entry: ledger.Entry) -> None:
        all_headers = set().union(*(c.header_names() for c in contract.columns))
        source_columns, entry.rows_in = load(con, path, fmt, sheet=contract.transport.sheet, headers=all_headers,
                                             limits=contract.limits)
        mapping: dict[str, str] = {}
        for src in source_columns:
            col = next((c for c in contract.columns if normalise_header(src) in c.header_names()), None)
            if col is None:
                entry.reasons.append(Problem("extra_column", f"Column '{src}' is not in the contract and was ignored.",
                                             src).as_dict())
            elif col.name not in mapping:
                mapping[col.name] = src
        missing = [c for c in contract.columns if c.required and c.name not in mapping]
        if missing:  # the message lists every column found, so drop the per-column 'ignored' notes
            entry.reasons[:] = [r for r in entry.reasons if r["code"] != "extra_column"]
            self._check_wrong_folder(contract, fmt, source_columns, entry.original_name)
            names = ", ".join(f"'{c.name}'" + (f" (or {', '.join(repr(a) for a in c.aliases)})" if c.aliases else "")
                              for c in missing)
            raise FileProblem(
                "missing_required_column",
                f"Required column(s) missing: {', '.join(c.name for c in missing)}. The file has no column headed "
                f"{names}. The columns found were: {', '.join(source_columns)}.",
                ", ".join(c.name for c in missing),
                action=f"Add the missing column{'s' if len(missing) > 1 else ''} with the header "
                       f"{', '.join(repr(c.name) for c in missing)} (or an accepted name shown) and a value in every "
                       "row, then send the whole file again.",
            )

        # One pass over the file makes table ``clean``: every mapped column cleaned and typed once
        # (inner select), the stored output columns, the checks each row fails (``_checks``), the key
        # (``_k0``...) and the formula-like flags (``_f0``...). The source text is only read again for
        # rows that failed a check.
        cleaned, row_checks, outputs, formula_checks = [], [], [], []
        for i, col in enumerate(contract.stored_columns()
                                + [c for c in contract.columns if c not in contract.stored_columns()]):
            if col.name not in mapping:
                if col in contract.stored_columns():
                    outputs.append(f"CAST(NULL AS {SQL_TYPES[col.type]}) AS {_q(col.output_name)}")
                continue
            v = f"nullif(trim({_q(mapping[col.name])}), '')"
            cleaned += [f"{f'upper({v})' if col.normalise == 'upper' else v} AS __v{i}",
                        f"{_typed(col, f'__v{i}')} AS __t{i}"]
            v, typed = f"__v{i}", f"__t{i}"
            shown = _lit(WITHHELD) if col.personal else f"left({_q(mapping[col.name])}, {REJECT_VALUE_CHARS})"
            header = mapping[col.name]
            checks = _checks(col, v, typed, contract, header) + (
                _period_checks(contract, v, entry.received_at, header) if col.name == contract.period_column else [])
            row_checks += [(cond, col.name, shown, w, header, col.personal is not None) for cond, w in checks]
            if col in contract.stored_columns():
                outputs.append(f"{_output_expr(col, typed)} AS {_q(col.output_name)}")
            if col.type == "string" and not (col.personal or col.allowed or col.pattern):
                formula_checks.append((col.name,
                                       f"coalesce(regexp_matches({v}, '^[=+\\-@]'), false) AS _f{len(formula_checks)}"))
        keys = _key_expressions(contract, mapping)
        flags = ", ".join(f"CASE WHEN {cond} THEN {i} END" for i, (cond, *_) in enumerate(row_checks))
        inner = ["_row", *cleaned, *(f"{k} AS _k{i}" for i, k in enumerate(keys))]
        outer = ["_row", *outputs, f"list_filter([{flags}]::INTEGER[], x -> x IS NOT NULL) AS _checks",
                 *(f"_k{i}" for i in range(len(keys))), *(sql for _, sql in formula_checks)]
        con.execute(f"CREATE TABLE clean AS SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM src)")
        period = _q(contract.column(contract.period_column).output_name)
        failed, repeats, formula_counts, periods = _file_summary(con, len(keys), len(formula_checks), period)
        if failed or repeats:
            _create_rejects(con, row_checks, failed > 0,
                            _duplicate_key_select(contract, len(keys), mapping) if repeats else None)
            entry.rows_rejected = con.execute("SELECT count(DISTINCT row_number) FROM rejects").fetchone()[0]
        entry.rows_loaded = entry.rows_in - entry.rows_rejected
        batch = _lit(entry.batch_id)
        # clean keeps the file's row order (insertion order is preserved), so no sort is needed
        loaded = "FROM clean" + (" WHERE _row NOT IN (SELECT row_number FROM rejects)" if entry.rows_rejected else "")
        accepted_sql = (
            f"SELECT {', '.join(_q(c.output_name) for c in contract.stored_columns())}, {batch} AS _batch_id, "
            f"_row AS _source_row, CAST({_lit(entry.received_at)} AS TIMESTAMPTZ) AS _received_at {loaded}"
        )
        if entry.rows_rejected:
            _write_parquet(
                con,
                f"SELECT {batch} AS batch_id, {_lit(entry.original_name)} AS file_name, * FROM rejects "
                "ORDER BY row_number, column_name, code",
                private_dirs(self.paths.rejects, entry.partner, entry.dataset) / f"{entry.batch_id}.parquet", PRIVATE,
            )
            entry.reasons.extend(self._row_problem_summary(con))
        entry.reasons.extend(_formula_warnings(formula_checks, formula_counts))
        if entry.rows_loaded == 0:
            _raise_if_every_row_is_out_of_period(entry)
            raise FileProblem("no_data_rows", f"{entry.original_name}: every row has a problem; nothing was loaded.")
        _write_parquet(con, accepted_sql, self.paths.raw / entry.partner / entry.dataset / f"{entry.batch_id}.parquet")
        if repeats:  # the row a repeat was rejected for may itself have failed a check: ask the rows loaded
            periods = [r[0] for r in con.execute(
                f"SELECT DISTINCT CAST({period} AS VARCHAR) AS p {loaded} AND {period} IS NOT NULL "
                "ORDER BY 1").fetchall()]
        entry.periods = periods
        entry.status = "accepted_with_warnings" if entry.reasons else "accepted"

    def _check_wrong_folder(self, contract: Contract, fmt: str, source_columns: list[str], name: str) -> None:
        """A file missing required columns that has every required column of another dataset."""
        found = {normalise_header(c) for c in source_columns}
        for other in self.contracts.values():
            required = [c for c in other.columns if c.required]
            if other is not contract and fmt in other.formats and all(c.header_names() & found for c in required):
                raise FileProblem(
                    "wrong_dataset_folder",
                    f"{name} looks like {other.partner}/{other.dataset} ({other.title}), not "
                    f"{contract.partner}/{contract.dataset}: it was sent to the wrong folder.")

    @staticmethod
    def _row_problem_summary(con: duckdb.DuckDBPyConnection) -> list[dict]:
        """One reason per (column, problem) with a count, the first rows and their values, for the receipt (every
        problem of every row is in the rejected rows the receipt lists and its CSV)."""
        rows = con.execute(
            "SELECT column_name, code, any_value(reason), any_value(header), any_value(expected), any_value(action), "
            "bool_or(personal), count(*), list(row_number ORDER BY row_number)[1:5], "
            "list(value ORDER BY row_number)[1:5] "
            "FROM rejects GROUP BY ALL ORDER BY min(row_number), column_name, code"
        ).fetchall()
        return [row_problem(code, column, reason, header, expected, action, personal, n, first, values)
                for column, code, reason, header, expected, action, personal, n, first, values in rows]

    def _superseded(self, entry: ledger.Entry) -> list[ledger.Entry]:
        """The loaded batches a new batch replaces: those received before it whose periods it fully covers (a
        re-sent period). Never a later one: a run finishing a batch recorded before a crash may find one."""
        covered = set(entry.periods)
        return ledger.read_all(self.paths.ledger, entry.partner, entry.dataset, where=lambda r: (
            (r["received_at"], r["batch_id"]) < (entry.received_at, entry.batch_id)
            and r["status"] in ledger.LOADED and r["periods"] and set(r["periods"]) <= covered))

    def _warn_if_restatement_drops(self, entry: ledger.Entry) -> list[ledger.Entry]:
        """A restatement names the batches it replaces (``entry.replaces``, for its receipt). One with far fewer
        rows than they had (446 -> 59 for one period) is more often a partial extract than a real fall: it still
        replaces them, but its receipt warns (more than ``MARMOT_RESTATEMENT_MAX_DROP`` of the rows gone) and
        ``marmot.monitor.notify.restatements`` tells the team. Returns the batches replaced (for
        ``_supersede_earlier``: the dataset's ledger is read once per file)."""
        replaced = self._superseded(entry) if entry.status in ledger.LOADED else []
        entry.replaces = [{"batch_id": old.batch_id, "original_name": old.original_name,
                           "received_at": old.received_at, "rows_loaded": old.rows_loaded, "periods": old.periods}
                          for old in replaced]
        before = sum(old.rows_loaded for old in replaced)
        if not before:
            return replaced
        periods = sorted({p for old in replaced for p in old.periods})
        after = entry.rows_loaded
        if set(periods) != set(entry.periods):  # the new file holds more periods: count those replaced
            contract = self.contracts[f"{entry.partner}__{entry.dataset}"]
            column = _q(contract.column(contract.period_column).output_name)
            batch = self.paths.raw / entry.partner / entry.dataset / f"{entry.batch_id}.parquet"
            after = self._connection().execute(
                f"SELECT count(*) FROM read_parquet({_lit(str(batch))}) "
                f"WHERE CAST({column} AS VARCHAR) IN ({', '.join(map(_lit, periods))})").fetchone()[0]
        if (before - after) / before <= restatement_max_drop():
            return replaced
        olds = "; ".join(f"'{old.original_name}' received {old.received_at[:10]} (batch {old.batch_id}, "
                         f"{old.rows_loaded:,} rows)" for old in replaced)
        entry.reasons.append({**Problem(
            "restatement_drop",
            f"This file restates {', '.join(periods)} with {after:,} rows where the data it replaces had {before:,} "
            f"({olds}): {100 * (before - after) / before:.0f}% fewer. It was loaded and replaces that data; "
            "the data team has been told.").as_dict(),
            "rows_before": before, "rows_after": after, "periods": periods,
            "replaces": [old.batch_id for old in replaced]})
        entry.status = "accepted_with_warnings"
        return replaced

    def _supersede_earlier(self, entry: ledger.Entry, replaced: list[ledger.Entry] | None = None) -> None:
        """A re-sent period supersedes earlier batches whose periods it fully covers (``replaced``, when
        already found); history is kept."""
        for old in self._superseded(entry) if replaced is None else replaced:
            old.status = "superseded"
            old.superseded_by = entry.batch_id
            ledger.write(self.paths.ledger, old)
            receipts.write(self.paths, old, self._contract_of(old))


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


