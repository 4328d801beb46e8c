"""The outcome of a validation run and the files it leaves in ``validation/<run>/``.

``results.json`` (every outcome), ``report.txt`` and ``report.html`` (failures first, with
counts and sample rows) and ``partners/<partner>__<dataset>.json`` (one per raw dataset
checked, for the partner receipts to link to). An outcome with status ``error`` (the check
raised) counts as failed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from marmot.atomic import write_text
from marmot.templating import render

SHOWN_WARNINGS = 5  # in the summary; the report files list every one
RUN_ID = "%Y%m%dT%H%M%S%fZ"  # a run's id (and folder name): when it started, UTC
LATEST = "latest.json"  # in the validation folder: the summary of the latest run, written by gates.validate


def latest(validation: Path) -> dict | None:
    """The summary of the latest validation run under ``validation`` (``paths.validation``); None before the
    first."""
    path = validation / LATEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def dataset_file(folder: Path, dataset: str) -> Path:
    """A run's outcome for one raw dataset (``<partner>__<dataset>``), which receipts and the portal read."""
    return folder / "partners" / f"{dataset}.json"


@dataclass
class Outcome:
    suite: str
    expectation: str
    kwargs: dict
    severity: str
    why: str
    status: str  # passed | failed | error
    unexpected_count: int | None = None
    sample: list | None = None  # unexpected values (or missing set members)
    error: str | None = None
    observed: object = None
    sample_rows: list[dict] = field(default_factory=list)

    def line(self) -> str:
        text = (f"[{self.severity}] {self.status.upper()} {self.suite}: {self.expectation} "
                f"{_short(self.kwargs)} - {self.why}")
        if self.unexpected_count:
            text += f" ({self.unexpected_count} unexpected)"
        if self.observed is not None:
            text += f" (observed {self.observed})"
        if self.sample:
            text += f" e.g. {self.sample}"
        return text + (f" error: {self.error}" if self.error else "")


def _short(kwargs: dict) -> dict:
    return {k: (f"<{len(v)} values>" if isinstance(v, list) and len(v) > 10 else v) for k, v in kwargs.items()}


@dataclass
class Report:
    run_id: str
    outcomes: list[Outcome]
    folder: Path | None = None
    data_docs: Path | None = None
    datasets: dict[str, list[str]] = field(default_factory=dict)  # raw dataset -> batch ids checked now
    verified_earlier: dict[str, int] = field(default_factory=dict)  # raw dataset -> batches not read again

    @property
    def path(self) -> Path | None:
        return self.folder / "results.json" if self.folder else None

    @property
    def blocking(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.severity == "critical" and o.status != "passed"]

    @property
    def passed(self) -> bool:
        return not self.blocking

    def counts(self) -> dict[str, int]:
        counts = {s: sum(o.status == s for o in self.outcomes) for s in ("passed", "failed", "error")}
        return {**counts, "total": len(self.outcomes), "blocking": len(self.blocking),
                "warnings": sum(o.severity == "warning" and o.status != "passed" for o in self.outcomes)}

    def summary(self) -> str:
        c = self.counts()
        lines = [f"{c['total']} expectations: {c['passed']} passed, {c['failed']} failed, {c['error']} errors; "
                 f"{'PASS' if self.passed else 'BLOCKED'}"]
        lines += ["  " + o.line() for o in self.blocking]
        warnings = [o for o in self.outcomes if o.severity == "warning" and o.status != "passed"]
        lines += ["  " + o.line() for o in warnings[:SHOWN_WARNINGS]]
        if len(warnings) > SHOWN_WARNINGS:
            lines.append(f"  ... and {len(warnings) - SHOWN_WARNINGS} more warnings (all in report.txt)")
        return "\n".join(lines)

    def raw_batches_line(self) -> str:
        checked, earlier = sum(map(len, self.datasets.values())), sum(self.verified_earlier.values())
        return (f"Raw batches: {checked} checked in this run; {earlier} passed an earlier run with the same "
                "suite and were not read again (batches never change; `marmot validate --recheck-raw` reads all).")

    def as_dict(self) -> dict:
        return {"run_id": self.run_id, "passed": self.passed, "counts": self.counts(),
                "data_docs": str(self.data_docs) if self.data_docs else None,
                "raw_batches": {"checked": self.datasets, "verified_earlier": self.verified_earlier},
                "outcomes": [asdict(o) for o in self.outcomes]}

    def write(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        failed = sorted((o for o in self.outcomes if o.status != "passed"), key=lambda o: o.severity)
        write_text(self.path, json.dumps(self.as_dict(), indent=2, default=str))
        text = [self.summary().splitlines()[0], self.raw_batches_line(), ""]
        for o in failed:
            text += [o.line()] + [f"    row: {json.dumps(r, default=str)}" for r in o.sample_rows]
        text.append(f"Data Docs: {self.data_docs}")
        write_text(folder / "report.txt", "\n".join(text) + "\n")
        write_text(folder / "report.html", render("validation_report.html.j2", report=self, failed=failed))
        for dataset, batches in self.datasets.items():
            mine = [o for o in self.outcomes if o.suite == f"raw__{dataset}"]
            write_text(dataset_file(folder, dataset), json.dumps({
                "run_id": self.run_id, "dataset": dataset, "batches": batches,
                "passed": not any(o.severity == "critical" and o.status != "passed" for o in mine),
                "outcomes": [asdict(o) for o in mine]}, indent=2, default=str))
