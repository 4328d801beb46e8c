"""Quality gates: evaluate the Great Expectations suites in ``expectations/`` on the build.

GX's SQL datasource does not work on DuckDB (STACK.md), so each table is read into pandas
and validated through GX's pandas datasource. An expectation that raised an exception is an
error and counts as a failure. Critical failures block publication; warnings are reported.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import yaml

from marmot.settings import EXPECTATIONS_DIR, Paths

log = logging.getLogger(__name__)
SEVERITIES = ("critical", "warning")


@dataclass
class Outcome:
    suite: str
    expectation: str
    kwargs: dict
    severity: str
    why: str
    status: str  # passed | failed | error
    unexpected_count: int | None = None
    sample: list | None = None
    error: str | None = None


@dataclass
class Report:
    run_id: str
    outcomes: list[Outcome]
    path: Path | None = None

    @property
    def blocking(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.severity == "critical" and o.status != "passed"]

    @property
    def passed(self) -> bool:
        return not self.blocking

    def summary(self) -> str:
        counts = {s: sum(o.status == s for o in self.outcomes) for s in ("passed", "failed", "error")}
        lines = [f"{len(self.outcomes)} expectations: {counts['passed']} passed, {counts['failed']} failed, "
                 f"{counts['error']} errors; {'PASS' if self.passed else 'BLOCKED'}"]
        for o in self.outcomes:
            if o.status != "passed":
                lines.append(f"  [{o.severity}] {o.status.upper()} {o.suite}: {o.expectation} {o.kwargs}"
                             f" - {o.why}" + (f" ({o.unexpected_count} unexpected)" if o.unexpected_count else "")
                             + (f" error: {o.error}" if o.error else ""))
        return "\n".join(lines)


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[dict]:
    suites = []
    for path in sorted(directory.rglob("*.yml")):
        suite = yaml.safe_load(path.read_text(encoding="utf-8"))
        for e in suite["expectations"]:
            if e.get("severity") not in SEVERITIES:
                raise ValueError(f"{path}: expectation {e['type']} needs severity critical or warning")
        suites.append(suite)
    return suites


def _exception(info: dict | None) -> str | None:
    """The exception message of a result, if evaluating it raised (GX nests it per metric)."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    raised = [e for e in entries if e.get("raised_exception")]
    return "; ".join(str(e.get("exception_message")) for e in raised) if raised else None


def _evaluate(suite: dict, frame) -> list[Outcome]:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("marmot").add_dataframe_asset(name=suite["suite"])
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    gx_suite = gx.ExpectationSuite(name=suite["suite"])
    for i, e in enumerate(suite["expectations"]):
        gx_suite.add_expectation_configuration(
            ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta={"severity": e["severity"], "index": i})
        )
    result = batch.validate(gx_suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})
    outcomes = []
    # GX does not return results in suite order: match them by the index kept in meta
    for r in sorted(result.results, key=lambda r: r.expectation_config.meta["index"]):
        spec = suite["expectations"][r.expectation_config.meta["index"]]
        exc = _exception(r.exception_info)
        raised = exc is not None
        outcomes.append(Outcome(
            suite=suite["suite"], expectation=spec["type"], kwargs=spec["kwargs"], severity=spec["severity"],
            why=spec.get("why", ""),
            status="error" if raised else ("passed" if r.success else "failed"),
            unexpected_count=r.result.get("unexpected_count"),
            sample=[str(v) for v in (r.result.get("partial_unexpected_list") or [])][:5],
            error=exc,
        ))
    return outcomes


def validate(paths: Paths, suites: list[dict] | None = None) -> Report:
    """Run every suite against the build warehouse; write and return the report."""
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    outcomes: list[Outcome] = []
    con = duckdb.connect(str(paths.build_db), read_only=True)
    try:
        for suite in suites if suites is not None else load_suites():
            try:
                frame = con.sql(f"SELECT * FROM {suite['table']}").df()
            except duckdb.Error as exc:
                outcomes += [Outcome(suite["suite"], e["type"], e["kwargs"], e["severity"], e.get("why", ""),
                                     "error", error=f"cannot read {suite['table']}: {exc}")
                             for e in suite["expectations"]]
                continue
            outcomes += _evaluate(suite, frame)
    finally:
        con.close()
    report = Report(run_id, outcomes)
    folder = paths.validation / run_id
    folder.mkdir(parents=True, exist_ok=True)
    report.path = folder / "results.json"
    report.path.write_text(json.dumps({"run_id": run_id, "passed": report.passed,
                                       "outcomes": [asdict(o) for o in outcomes]}, indent=2, default=str))
    (paths.validation / "latest.json").write_text(json.dumps({"run_id": run_id, "passed": report.passed,
                                                             "results": str(report.path)}))
    log.info("validation %s: %s", run_id, report.summary())
    return report
