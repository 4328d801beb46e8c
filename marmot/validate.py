"""Quality gates: the suites in ``expectations/`` and the platform checks, as one report.

Write-audit-publish: ``validate`` first stages the build's marts into a frozen candidate
(``publish.stage``); the gates audit that candidate and ``publish`` ships exactly it, so a
build that runs after a validation can never slip unaudited data into a publication.

- ``expectations/raw/<partner>__<dataset>.yml`` (``dataset:``) run on the dataset's current
  raw Parquet batches, in groups of at most ``MARMOT_VALIDATE_GROUP_ROWS`` rows (default
  500,000) so memory does not grow with the history. Batches are immutable: a batch that passed
  every expectation of its suite is recorded in ``validation/verified_raw_batches.json`` with
  the suite's fingerprint (its expectations with reference lists resolved) and is not read
  again until the suite changes (``marmot validate --recheck-raw`` reads every batch again).
- ``expectations/marts/*.yml`` (``table: marts.<mart>``) run on the candidate's copy of that
  mart; ``platform_gates`` adds the checks YAML cannot express.
- GX's SQL datasource does not work on DuckDB (STACK.md), so every table is read into pandas.
  Each suite runs as a GX ValidationDefinition in an ephemeral context; the run's Data Docs
  are built once, after the last suite, under ``validation/<run>/gx/`` (an
  ``UpdateDataDocsAction`` on every Checkpoint re-rendered the site index each time).
- An expectation that raised an exception is an ``error`` and counts as failed, never as a
  pass. A critical failure blocks publication; warnings are reported.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import jinja2

from marmot import crash, ledger, receipts
from marmot.atomic import write_text
from marmot.contracts import read_yaml
from marmot.gate_report import Outcome, Report
from marmot.settings import EXPECTATIONS_DIR, Paths

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no usage statistics leave the machine

log = logging.getLogger(__name__)
SEVERITIES = ("critical", "warning")
MARTS_SCHEMA = "marts"


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[dict]:
    suites = []
    for path in sorted(directory.rglob("*.yml")):
        suite = read_yaml(path)
        if ("table" in suite) == ("dataset" in suite):
            raise ValueError(f"{path}: a suite names either a table (marts.<mart>) or a raw dataset")
        for e in suite["expectations"]:
            if e.get("severity") not in SEVERITIES:
                raise ValueError(f"{path}: expectation {e['type']} needs severity critical or warning")
        suites.append(suite)
    return suites


def _resolve(kwargs: dict) -> dict:
    """``{reference: coventry_lsoa21}`` as an argument stands for that reference code list."""
    from marmot.ingest import reference_codes

    refs = None
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, dict) and set(v) == {"reference"}:
            refs = refs or reference_codes()
            v = refs[v["reference"]]
        out[k] = v
    return out


def _exception(info: dict | None) -> str | None:
    """The exception message of a result, if evaluating it raised (GX nests it per metric)."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    raised = [e for e in entries if e.get("raised_exception")]
    return "; ".join(str(e.get("exception_message")) for e in raised) if raised else None


def _errors(suite: dict, message: str) -> list[Outcome]:
    return [Outcome(suite["suite"], e["type"], e["kwargs"], e["severity"], e.get("why", ""), "error", error=message)
            for e in suite["expectations"]]


def _sample_rows(frame, result: dict) -> list[dict]:
    index = (result.get("partial_unexpected_index_list") or [])[:5]
    if not index or not all(i in frame.index for i in index):
        return []
    return json.loads(frame.loc[index].to_json(orient="records", date_format="iso"))


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled jinja templates kept in memory, keyed by template name and source checksum."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (code := self.code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _MemoryBytecodeCache()


def _share_compiled_templates() -> None:
    """GX makes a new jinja ``Environment`` for every Data Docs page, so every page compiled its
    templates afresh: 2,273 compiles of about 14 ms, 40% of a validation run. Give those
    environments one bytecode cache for the process (a changed template still recompiles)."""
    from great_expectations.render.view import view

    if not isinstance(view.Environment, functools.partial):
        view.Environment = functools.partial(view.Environment, bytecode_cache=_COMPILED_TEMPLATES)


def _read_each_configuration_once() -> None:
    """GX builds an expectation's configuration afresh (a pydantic ``dict()`` of the whole
    expectation) for every keyword argument it looks up: ``Expectation._get_runtime_kwargs``
    built it some twenty times per call, 2 s of a 12 s validation. That method only reads the
    configuration, so while it runs, the expectation's configuration is built once."""
    import threading

    from great_expectations.expectations.expectation import Expectation

    if getattr(Expectation._get_runtime_kwargs, "reads_configuration_once", False):
        return
    build = Expectation.configuration.fget
    runtime_kwargs = Expectation._get_runtime_kwargs
    held = threading.local()  # (expectation, its configuration) while _get_runtime_kwargs runs

    def configuration(self):
        current = getattr(held, "pair", None)
        return current[1] if current is not None and current[0] is self else build(self)

    def get_runtime_kwargs(self, runtime_configuration=None):
        outer, held.pair = getattr(held, "pair", None), (self, build(self))
        try:
            return runtime_kwargs(self, runtime_configuration)
        finally:
            held.pair = outer

    get_runtime_kwargs.reads_configuration_once = True
    get_runtime_kwargs.__wrapped__ = runtime_kwargs
    Expectation.configuration = property(configuration)
    Expectation._get_runtime_kwargs = get_runtime_kwargs


class GxRun:
    """A GX context for one validation run; each suite runs as a ValidationDefinition.

    The context is ephemeral: suites, definitions and results are kept in memory for the run.
    A file context wrote its whole project config (YAML) again for every asset added, 82 times
    a run, and checked every definition against its JSON on disk. With a folder,
    ``build_data_docs`` writes the run's Data Docs under ``<folder>/gx``.
    """

    def __init__(self, folder: Path | None = None):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _share_compiled_templates()
        _read_each_configuration_once()
        self.folder = folder
        self.context = gx.get_context(mode="ephemeral")
        if folder:
            self.context.update_data_docs_site("local_site", {
                "class_name": "SiteBuilder", "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(self.data_docs)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.source = self.context.data_sources.add_pandas("marmot")

    @property
    def data_docs(self) -> Path | None:
        return self.folder / "gx" / "uncommitted" / "data_docs" / "local_site" if self.folder else None

    def build_data_docs(self) -> None:
        if self.folder:
            self.context.build_data_docs()

    def evaluate(self, suite: dict, frame, part: str = "") -> list[Outcome]:
        """The suite's outcomes on ``frame``; ``part`` names one of several frames of one suite."""
        import great_expectations as gx
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        name = suite["suite"] + (f" ({part})" if part else "")
        try:
            gx_suite = gx.ExpectationSuite(name=name)
            for i, e in enumerate(suite["expectations"]):
                gx_suite.add_expectation_configuration(ExpectationConfiguration(
                    type=e["type"], kwargs=_resolve(e["kwargs"]), meta={"severity": e["severity"], "index": i,
                                                                       "why": e.get("why", "")}))
            batch = self.source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all")
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=self.context.suites.add(gx_suite)))
            # run directly, it stores its result for the Data Docs; a Checkpoint around it (no actions)
            # only added its own store entry and freshness checks: 0.7 s of a 12 s validation
            result = definition.run(batch_parameters={"dataframe": frame},
                                    result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})
        except Exception as exc:  # a suite GX cannot even run fails every one of its expectations
            log.exception("suite %s could not run", name)
            return _errors(suite, f"suite could not run: {exc}")
        outcomes = []
        # GX does not return results in suite order: match them by the index kept in meta
        for r in sorted(result.results, key=lambda r: r.expectation_config.meta["index"]):
            spec = suite["expectations"][r.expectation_config.meta["index"]]
            exc = _exception(r.exception_info)
            outcomes.append(Outcome(
                suite=suite["suite"], expectation=spec["type"], kwargs=spec["kwargs"], severity=spec["severity"],
                why=spec.get("why", ""),
                status="error" if exc is not None else ("passed" if r.success else "failed"),
                unexpected_count=r.result.get("unexpected_count"),
                sample=[str(v) for v in (r.result.get("partial_unexpected_list")
                                         or r.result.get("partial_missing_list") or [])][:5],
                error=exc,
                observed=r.result.get("observed_value"),
                sample_rows=[] if r.success else _sample_rows(frame, r.result),
            ))
        return outcomes


def _evaluate(suite: dict, frame, gx_run: GxRun | None = None) -> list[Outcome]:
    return (gx_run or GxRun()).evaluate(suite, frame)


VERIFIED_FILE = "verified_raw_batches.json"
GROUP_ROWS_ENV = "MARMOT_VALIDATE_GROUP_ROWS"
STATUS_ORDER = {"passed": 0, "failed": 1, "error": 2}


def _fingerprint(suite: dict) -> str:
    """What a batch was checked against: the expectations, reference lists resolved."""
    resolved = [{**e, "kwargs": _resolve(e["kwargs"])} for e in suite["expectations"]]
    return hashlib.sha256(json.dumps(resolved, sort_keys=True, default=str).encode()).hexdigest()


def _merge(parts: list[list[Outcome]]) -> list[Outcome]:
    """One outcome per expectation from those of each group: the worst status, counts summed."""
    if len(parts) == 1:
        return parts[0]
    merged = []
    for same in zip(*parts):
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
    from marmot.raw_suites import CurrentRows

    contracts, entries = load_contracts(), ledger.read_all(paths.ledger)
    verified_file = paths.validation / VERIFIED_FILE
    verified = json.loads(verified_file.read_text()) if verified_file.exists() else {}
    group_rows = int(os.environ.get(GROUP_ROWS_ENV, "500000"))
    outcomes = []
    for suite in suites:
        contract = contracts.get(suite["dataset"])
        if contract is None:
            outcomes += _errors(suite, f"no contract {suite['dataset']} in ingestion/contracts")
            continue
        fingerprint = _fingerprint(suite)
        known = verified.get(contract.id, {})
        known = set() if recheck or known.get("suite") != fingerprint else set(known["batches"])
        current = CurrentRows(paths, contract, entries)
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
    from marmot import platform_gates as pg
    from marmot.publish import candidate_db

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
                outcomes += _errors(suite, f"{suite['table']} is not a published mart ({MARTS_SCHEMA}.<mart>) "
                                           f"of this build; published: {sorted(counts)}")
                continue
            outcomes += gx_run.evaluate(suite, frame(table))
        for table in counts:
            extra = [pg.row_count_expectation(table, previous) if previous else None,
                     pg.principles_expectation(pg.catalogue_principles()) if table == pg.PRINCIPLES_TABLE else None]
            if extra := [e for e in extra if e]:
                outcomes += gx_run.evaluate({"suite": f"platform__{table}", "expectations": extra}, frame(table))
    finally:
        con.close()
    outcomes += pg.vanished_marts(set(counts), previous)
    outcomes += pg.marts_without_suite(set(counts), {s["table"].rpartition(".")[2] for s in suites})
    return outcomes


def validate(paths: Paths, suites: list[dict] | None = None, recheck_raw: bool = False) -> Report:
    """Stage the build's marts, run every gate, write the report; return it.

    ``recheck_raw``: read every current raw batch again, even those that passed before."""
    from marmot import platform_gates as pg
    from marmot import publish
    from marmot.contracts import load_contracts

    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = paths.validation / run_id
    counts = publish.stage(paths, run_id)
    crash.point("validate:staged")
    suites = load_suites() if suites is None else suites
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
        publish.discard(paths, run_id)
    write_text(paths.validation / "latest.json", json.dumps({
        "run_id": run_id, "passed": report.passed, "counts": report.counts(), "results": str(report.path),
        "report": str(folder / "report.txt"), "data_docs": str(report.data_docs)}))
    log.info("validation %s: %s", run_id, report.summary().splitlines()[0])
    _prune_runs(paths)
    return report


KEEP_RUNS_ENV = "MARMOT_KEEP_VALIDATIONS"


def _prune_runs(paths: Paths) -> None:
    """Keep the latest ``MARMOT_KEEP_VALIDATIONS`` runs (default 20; each holds ~10 MB of Data Docs).

    A published version carries its own copy of its run's reports and Data Docs, so pruning never
    takes anything a publication needs; the latest run, which publish reads next, is always kept.
    """
    keep = max(1, int(os.environ.get(KEEP_RUNS_ENV, "20")))
    runs = sorted(p for p in paths.validation.iterdir() if p.is_dir())  # run ids sort by time
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
        log.info("pruned validation run %s (keeping the latest %d)", old.name, keep)
