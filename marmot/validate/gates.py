"""Quality gates: the suites in ``expectations/`` and the platform checks, as one report.

Write-audit-publish: ``validate`` first stages the build's marts into a frozen candidate
(``marmot.validate.candidate``); the gates audit that candidate and ``publish`` ships exactly it, so a
build that runs after a validation can never slip unaudited data into a publication.

- ``expectations/raw/<partner>__<dataset>.yml`` (``dataset:``) run on the dataset's current
  raw Parquet batches, in groups of at most ``MARMOT_VALIDATE_GROUP_ROWS`` rows (default
  500,000) so memory does not grow with the history. Batches are immutable: a batch that passed
  every expectation of its suite is recorded in ``validation/verified_raw_batches.json`` with
  the suite's fingerprint (its expectations with reference lists resolved) and is not read
  again until the suite changes (``marmot validate --recheck-raw`` reads every batch again).
- ``expectations/marts/*.yml`` (``table: marts.<mart>``) run on the candidate's copy of that
  mart; ``platform_gates`` adds the checks YAML cannot express.
- Each suite runs through ``marmot.validate.gx_runner`` on a pandas frame; the run's Data
  Docs are built once, after the last suite, under ``validation/<run>/gx/``.
- An expectation that raised an exception is an ``error`` and counts as failed, never as a
  pass. A critical failure blocks publication; warnings are reported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import logging
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from marmot import crash
from marmot.atomic import write_text
from marmot.contracts import read_yaml
from marmot.ingest import ledger, receipts
from marmot.settings import Paths, expectations_dir, keep_validations, validate_group_rows
from marmot.validate import candidate, dictionary
from marmot.validate.candidate import candidate_db
from marmot.validate.gx_runner import GxRun, error_outcomes, resolve_references
from marmot.validate.report import LATEST, RUN_ID, Outcome, Report

log = logging.getLogger(__name__)
SEVERITIES = ("critical", "warning")
MARTS_SCHEMA = "marts"


def load_suites(directory: Path | None = None) -> list[dict]:
    """The suites under ``directory`` (default: the project's expectations folder)."""
    suites = []
    for path in sorted((directory or expectations_dir()).rglob("*.yml")):
        suite = read_yaml(path)
        if ("table" in suite) == ("dataset" in suite):
            raise ValueError(f"{path}: a suite names either a table (marts.<mart>) or a raw dataset")
        for e in suite["expectations"]:
            if e.get("severity") not in SEVERITIES:
                raise ValueError(f"{path}: expectation {e['type']} needs severity critical or warning")
        suites.append(suite)
    return suites


VERIFIED_FILE = "verified_raw_batches.json"
STATUS_ORDER = {"passed": 0, "failed": 1, "error": 2}


def _fingerprint(suite: dict) -> str:
    """What a batch was checked against: the expectations, reference lists resolved."""
    resolved = [{**e, "kwargs": resolve_references(e["kwargs"])} for e in suite["expectations"]]
    return hashlib.sha256(json.dumps(resolved, sort_keys=True, default=str).encode()).hexdigest()


def _merge(parts: list[list[Outcome]]) -> list[Outcome]:
    """One outcome per expectation from those of each group: the worst status, counts summed."""
    if len(parts) == 1:
        return parts[0]
    merged = []
    for same in zip(*parts, strict=False):
        worst = max(same, key=lambda o: STATUS_ORDER[o.status])
        counts = [o.unexpected_count for o in same if o.unexpected_count is not None]
        merged.append(dataclasses.replace(
            worst, unexpected_count=sum(counts) if counts else None,
            sample=[v for o in same for v in o.sample or []][:5],
            sample_rows=[r for o in same for r in o.sample_rows][:5],
            error="; ".join(dict.fromkeys(o.error for o in same if o.error)) or None))
    return merged


def _raw_outcomes(paths: Paths, suites: list[dict], gx_run: GxRun, report: Report,
                  recheck: bool = False) -> list[Outcome]:
    from marmot.contracts import load_contracts
    from marmot.validate.raw_suites import CurrentRows

    contracts, entries = load_contracts(), ledger.read_all(paths.ledger)
    verified_file = paths.validation / VERIFIED_FILE
    verified = json.loads(verified_file.read_text()) if verified_file.exists() else {}
    group_rows = validate_group_rows()
    outcomes = []
    with duckdb.connect() as con:  # one for every dataset's current rows
        for suite in suites:
            contract = contracts.get(suite["dataset"])
            if contract is None:
                outcomes += error_outcomes(suite, f"no contract {suite['dataset']} in ingestion/contracts")
                continue
            fingerprint = _fingerprint(suite)
            known = verified.get(contract.id, {})
            known = set() if recheck or known.get("suite") != fingerprint else set(known["batches"])
            kept = paths.validation / f"batch_periods__{contract.id}.parquet"
            current = CurrentRows(paths, contract, entries, kept, con)
            try:
                clean = [b for b in current.batches if b in known]
                pending = [b for b in current.batches if b not in known]
                report.verified_earlier[contract.id] = len(clean)
                if pending:  # nothing pending: nothing loaded, or every current batch passed before
                    report.datasets[contract.id] = pending
                    groups = current.groups(pending, group_rows)
                    parts = []
                    for i, group in enumerate(groups):
                        part = gx_run.evaluate(suite, current.frame(group),
                                               f"part {i + 1} of {len(groups)}" if len(groups) > 1 else "")
                        if all(o.status == "passed" for o in part):
                            clean += group
                        parts.append(part)
                    outcomes += _merge(parts)
            finally:
                current.close()
            verified[contract.id] = {"suite": fingerprint, "batches": sorted(clean)}
    write_text(verified_file, json.dumps(verified, indent=1))
    return outcomes


def _mart_outcomes(paths: Paths, run_id: str, suites: list[dict], counts: dict[str, int],
                   gx_run: GxRun) -> list[Outcome]:
    from marmot.validate import platform_gates as pg

    previous = pg.previous_manifest(paths)
    outcomes, frames = [], {}
    con = duckdb.connect(str(candidate_db(paths, run_id)), read_only=True)
    try:
        def frame(table: str):
            if table not in frames:
                frames[table] = con.sql(f'SELECT * FROM main."{table}"').df()
            return frames[table]

        for suite in suites:
            schema, _, table = suite["table"].rpartition(".")
            if schema != MARTS_SCHEMA or table not in counts:
                outcomes += error_outcomes(suite, f"{suite['table']} is not a published mart ({MARTS_SCHEMA}.<mart>) "
                                           f"of this build; published: {sorted(counts)}")
                continue
            outcomes += gx_run.evaluate(suite, frame(table))
        for table in counts:
            extra = [pg.row_count_expectation(table, previous) if previous else None,
                     pg.principles_expectation(pg.catalogue_principles()) if table == pg.PRINCIPLES_TABLE else None]
            if extra := [e for e in extra if e]:
                outcomes += gx_run.evaluate({"suite": f"platform__{table}", "expectations": extra}, frame(table))
        outcomes += pg.columns_described(dictionary.undescribed(con), set(counts))
    finally:
        con.close()
    outcomes += pg.vanished_marts(set(counts), previous)
    outcomes += pg.marts_without_suite(set(counts), {s["table"].rpartition(".")[2] for s in suites})
    return outcomes


def validate(paths: Paths, suites: list[dict] | None = None, recheck_raw: bool = False) -> Report:
    """Stage the build's marts, run every gate, write the report; return it.

    ``recheck_raw``: read every current raw batch again, even those that passed before."""
    from marmot.contracts import load_contracts
    from marmot.validate import platform_gates as pg

    run_id = datetime.now(UTC).strftime(RUN_ID)
    folder = paths.validation / run_id
    # importing Great Expectations (pure Python, about 4.5 s) overlaps copying the marts (DuckDB, off the GIL)
    importing = threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True)
    importing.start()
    counts = candidate.stage(paths, run_id)
    crash.point("validate:staged")
    suites = load_suites() if suites is None else suites
    importing.join()
    gx_run = GxRun(folder)
    report = Report(run_id, [], data_docs=gx_run.data_docs)
    report.outcomes += _raw_outcomes(paths, [s for s in suites if "dataset" in s], gx_run, report, recheck_raw)
    report.outcomes += _mart_outcomes(paths, run_id, [s for s in suites if "table" in s], counts, gx_run)
    report.outcomes += pg.freshness(load_contracts(), ledger.read_all(paths.ledger))
    gx_run.build_data_docs()
    crash.point("validate:checked")
    report.write(folder)
    receipts.add_quality_checks(paths, report)
    if not report.passed:
        candidate.discard(paths, run_id)
    write_text(paths.validation / LATEST, json.dumps({
        "run_id": run_id, "passed": report.passed, "counts": report.counts(), "results": str(report.path),
        "report": str(folder / "report.txt"), "data_docs": str(report.data_docs)}))
    log.info("validation %s: %s", run_id, report.summary().splitlines()[0])
    _prune_runs(paths)
    return report


def _prune_runs(paths: Paths) -> None:
    """Keep the latest ``MARMOT_KEEP_VALIDATIONS`` runs (default 20; each holds ~10 MB of Data Docs).

    A published version carries its own copy of its run's reports and Data Docs, so pruning never
    takes anything a publication needs; the latest run, which publish reads next, is always kept.
    """
    keep = keep_validations()
    runs = sorted(p for p in paths.validation.iterdir() if p.is_dir())  # run ids sort by time
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
        log.info("pruned validation run %s (keeping the latest %d)", old.name, keep)
