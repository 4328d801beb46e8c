"""Receipts: what a partner gets back for every file (JSON for machines, HTML for people)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from marmot.templating import render

if TYPE_CHECKING:
    from marmot.ledger import Entry
    from marmot.settings import Paths

HEADLINES = {
    "accepted": "Accepted: every row loaded.",
    "accepted_with_warnings": "Accepted with warnings: the file loaded, but some rows or columns need attention.",
    "quarantined": "Quarantined: nothing from this file was loaded. Please fix the problem below and send it again.",
    "duplicate": "Duplicate: we already have this exact content, so it was not loaded again.",
    "superseded": "Superseded: a later file for the same period replaced this one.",
}


def write(paths: "Paths", entry: "Entry") -> Path:
    """Write ``receipts/<partner>/<dataset>/<batch_id>.{json,html}``; return the HTML path."""
    folder = paths.receipts / entry.partner / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    data = {**asdict(entry), "headline": HEADLINES[entry.status]}
    (folder / f"{entry.batch_id}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    html = folder / f"{entry.batch_id}.html"
    html.write_text(render("receipt.html.j2", r=data), encoding="utf-8")
    return html
