"""Runs a suite (YAML from ``expectations/``) as a Great Expectations ValidationDefinition on a
pandas frame and turns GX's results into ``Outcome``s.

GX's SQL datasource does not work on DuckDB (STACK.md), so every table is read into pandas.
Each suite runs in an ephemeral context; the run's Data Docs are built once, after the last
suite. An expectation that raised an exception is an ``error``, never a pass.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from marmot.settings import GX_ANALYTICS_ENV
from marmot.validate.gx_patches import read_each_configuration_once, share_compiled_templates
from marmot.validate.report import Outcome

os.environ.setdefault(GX_ANALYTICS_ENV, "False")  # no usage statistics leave the machine

log = logging.getLogger(__name__)


def resolve_references(kwargs: dict) -> dict:
    """``{reference: coventry_lsoa21}`` as an argument stands for that reference code list."""
    from marmot.ingest.ingestor import reference_codes

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


def error_outcomes(suite: dict, message: str) -> list[Outcome]:
    return [Outcome(suite["suite"], e["type"], e["kwargs"], e["severity"], e.get("why", ""), "error", error=message)
            for e in suite["expectations"]]


def _sample_rows(frame, result: dict) -> list[dict]:
    index = (result.get("partial_unexpected_index_list") or [])[:5]
    if not index or not all(i in frame.index for i in index):
        return []
    return json.loads(frame.loc[index].to_json(orient="records", date_format="iso"))


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

        share_compiled_templates()
        read_each_configuration_once()
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
        """Write the run's Data Docs, with their CSS, scripts and fonts inside the site (no CDN: they work offline)."""
        if self.folder:
            from marmot.validate.data_docs import localise

            self.context.build_data_docs()
            localise(self.data_docs)

    def evaluate(self, suite: dict, frame, part: str = "") -> list[Outcome]:
        """The suite's outcomes on ``frame``; ``part`` names one of several frames of one suite."""
        import great_expectations as gx
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        name = suite["suite"] + (f" ({part})" if part else "")
        try:
            gx_suite = gx.ExpectationSuite(name=name)
            for i, e in enumerate(suite["expectations"]):
                gx_suite.add_expectation_configuration(ExpectationConfiguration(
                    type=e["type"], kwargs=resolve_references(e["kwargs"]), meta={"severity": e["severity"], "index": i,
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
            return error_outcomes(suite, f"suite could not run: {exc}")
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


def evaluate_suite(suite: dict, frame, gx_run: GxRun | None = None) -> list[Outcome]:
    return (gx_run or GxRun()).evaluate(suite, frame)
