"""Platform-level gates the suite YAML cannot express on its own.

As Great Expectations expectations, added to the mart suites at run time:
- no sharp loss of rows: a mart published in the current version may not lose more than
  ``MAX_ROW_LOSS`` of its rows (``expect_table_row_count_to_be_between``, critical);
- every principle the indicator catalogue seed declares has values in
  ``mart_indicator_values`` (``expect_column_distinct_values_to_contain_set``, critical). The
  catalogue drives it, so the check tightens as the marts engineer adds indicators; once the
  catalogue covers P1 to P8 it enforces all eight. Its severity is ``MARMOT_PRINCIPLES_SEVERITY``
  (default ``critical``; ``warning`` lets a platform that receives only some partners' data
  publish while saying which principles are missing).
As named checks (no GX expectation fits), in the same report:
- ``platform.mart_still_published``: a mart of the current version vanished (critical);
- ``platform.mart_has_suite``: a published mart without a suite in expectations/marts (warning);
- ``platform.columns_described``: a published mart or column without a description (its dbt YAML
  description, a DuckDB comment) (critical): the data dictionary has no gaps;
- ``platform.freshness``: each partner dataset's expected periods by the rule of
  marmot.monitor.freshness (warning): it fails while one is missing, i.e. not received and overdue by
  more than ``GRACE_DAYS`` (a period overdue by fewer is late but may still arrive).
"""

from __future__ import annotations

import csv
import json
import math
from datetime import date

from marmot.contracts import Contract
from marmot.ingest import ledger
from marmot.monitor.freshness import GRACE_DAYS, assess
from marmot.settings import Paths, dbt_project_dir, principles_severity
from marmot.validate.report import Outcome

MAX_ROW_LOSS = 0.20
PRINCIPLES_TABLE = "mart_indicator_values"


def previous_manifest(paths: Paths) -> dict | None:
    manifest = paths.current / "manifest.json"
    return json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else None


def row_count_expectation(table: str, previous: dict) -> dict | None:
    rows = previous.get("row_counts", {}).get(table)
    if not rows:
        return None
    return {"type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": math.ceil(rows * (1 - MAX_ROW_LOSS))},
            "severity": "critical",
            "why": f"platform: {table} had {rows} rows in published version {previous['version']}; "
                   f"losing more than {MAX_ROW_LOSS:.0%} of them is not published silently"}


def catalogue_principles() -> list[str]:
    catalogue = dbt_project_dir() / "seeds" / "catalogue" / "indicator_catalogue.csv"
    with open(catalogue, newline="", encoding="utf-8") as f:
        return sorted({r["principle_key"] for r in csv.DictReader(f)})


def principles_expectation(principles: list[str]) -> dict:
    return {"type": "expect_column_distinct_values_to_contain_set",
            "kwargs": {"column": "principle_key", "value_set": principles}, "severity": principles_severity(),
            "why": "platform: every principle the indicator catalogue declares must have published values"}


def _named(check: str, severity: str, why: str, ok: bool, **extra) -> Outcome:
    return Outcome("platform", check, extra.pop("kwargs", {}), severity, why, "passed" if ok else "failed", **extra)


def vanished_marts(published: set[str], previous: dict | None) -> list[Outcome]:
    if not previous:
        return []
    return [_named("platform.mart_still_published", "critical",
                   f"{t} was published in version {previous['version']} and is missing from this build",
                   t in published, kwargs={"table": t}) for t in sorted(previous.get("row_counts", {}))]


def marts_without_suite(published: set[str], suite_tables: set[str]) -> list[Outcome]:
    return [_named("platform.mart_has_suite", "warning", f"{t} is published but has no suite in expectations/marts",
                   t in suite_tables, kwargs={"table": t}) for t in sorted(published)]


def columns_described(undescribed: dict[str, list[str]], published: set[str]) -> list[Outcome]:
    """One outcome per published mart: it and each of its columns have a description (marmot.validate.dictionary)."""
    return [_named("platform.columns_described", "critical",
                   f"{t}: {', '.join(undescribed[t])} without a description in the dbt YAML (persist_docs)"
                   if t in undescribed else f"{t}: the table and every column are described",
                   t not in undescribed, kwargs={"table": t}, observed=len(undescribed.get(t, [])))
            for t in sorted(published)]


def freshness(contracts: dict[str, Contract], entries: list[ledger.Entry], as_of: date | None = None) -> list[Outcome]:
    """One outcome per contract: its expected periods (the ``LOOKBACK`` most recent) as of ``as_of`` (default
    today); the missing ones are the observed count and the sample, newest first."""
    as_of = as_of or date.today()
    rows = assess(contracts.values(), entries, as_of)
    out = []
    for c in contracts.values():
        missing = [r.period for r in rows if r.contract_id == c.id and r.status == "missing"]
        why = (f"{c.id}: {len(missing)} {c.schedule.period_type.replace('_', ' ')}(s) due by {as_of.isoformat()} "
               f"not received more than {GRACE_DAYS} days after the due date" if missing else
               f"{c.id}: every period due by {as_of.isoformat()} arrived or is at most {GRACE_DAYS} days overdue")
        out.append(_named("platform.freshness", "warning", why, not missing,
                          kwargs={"dataset": c.id, "grace_days": GRACE_DAYS}, observed=len(missing),
                          sample=missing or None))
    return out
