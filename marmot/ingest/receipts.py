"""Receipts: what a partner gets back for every file (JSON for machines, HTML for people)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from marmot.atomic import write_text
from marmot.templating import render

if TYPE_CHECKING:
    from marmot.contracts import Contract
    from marmot.ingest.ledger import Entry
    from marmot.settings import Paths
    from marmot.validate.report import Report

HEADLINES = {
    "accepted": "Accepted: every row loaded.",
    "accepted_with_warnings": "Accepted with warnings: the file loaded, but some rows or columns need attention.",
    "quarantined": "Quarantined: nothing from this file was loaded. Please fix the problem below and send it again.",
    "duplicate": "Duplicate: we already have this exact content, so it was not loaded again.",
    "superseded": "Superseded: a later file for the same period replaced this one.",
}


def write(paths: Paths, entry: Entry, contract: Contract | None = None) -> Path:
    """Write ``receipts/<partner>/<dataset>/<batch_id>.{json,html}`` atomically; return the HTML path."""
    folder = paths.receipts / entry.partner / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    about = ({"title": contract.title, "partner_name": contract.partner_name, "contact": contract.contact,
              "formats": list(contract.formats), "archive_days": contract.retention.archive_days} if contract else
             {"title": "", "partner_name": "", "contact": "", "formats": [], "archive_days": None})
    data = {**asdict(entry), "headline": HEADLINES[entry.status], **about}
    return _save(folder, entry.batch_id, data)


def add_quality_checks(paths: Paths, report: Report) -> int:
    """Tell each newly loaded batch's receipt what the quality gates found in its dataset.

    The raw-data suites run at validation, after the receipt was written at ingest. The first
    validation that sees a batch adds its results (critical and warning checks that did not
    pass, with counts); later validations leave the receipt alone. Returns receipts updated.
    """
    updated = 0
    for dataset_id, batch_ids in report.datasets.items():
        partner, dataset = dataset_id.split("__", 1)
        mine = [o for o in report.outcomes if o.suite == f"raw__{dataset_id}"]
        checks = {"run_id": report.run_id, "checked": len(mine),
                  "passed": not any(o.severity == "critical" and o.status != "passed" for o in mine),
                  "problems": [{"severity": o.severity, "status": o.status, "check": o.expectation,
                                "why": o.why, "unexpected": o.unexpected_count}
                               for o in mine if o.status != "passed"]}
        folder = paths.receipts / partner / dataset
        for batch_id in batch_ids:
            receipt = folder / f"{batch_id}.json"
            if not receipt.exists():
                continue
            data = json.loads(receipt.read_text(encoding="utf-8"))
            if "quality_checks" in data:
                continue
            _save(folder, batch_id, {**data, "quality_checks": checks})
            updated += 1
    return updated


def _save(folder: Path, batch_id: str, data: dict) -> Path:
    write_text(folder / f"{batch_id}.json", json.dumps(data, indent=2))
    html = folder / f"{batch_id}.html"
    write_text(html, render("receipt.html.j2", r=data))
    return html
