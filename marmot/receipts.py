"""Receipts: what a partner gets back for every file (JSON for machines, HTML for people)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from marmot.templating import render

if TYPE_CHECKING:
    from marmot.contracts import Contract
    from marmot.ledger import Entry
    from marmot.settings import Paths

HEADLINES = {
    "accepted": "Accepted: every row loaded.",
    "accepted_with_warnings": "Accepted with warnings: the file loaded, but some rows or columns need attention.",
    "quarantined": "Quarantined: nothing from this file was loaded. Please fix the problem below and send it again.",
    "duplicate": "Duplicate: we already have this exact content, so it was not loaded again.",
    "superseded": "Superseded: a later file for the same period replaced this one.",
}


def write(paths: "Paths", entry: "Entry", contract: "Contract | None" = None) -> Path:
    """Write ``receipts/<partner>/<dataset>/<batch_id>.{json,html}`` atomically; return the HTML path."""
    folder = paths.receipts / entry.partner / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    about = ({"title": contract.title, "partner_name": contract.partner_name, "contact": contract.contact,
              "formats": list(contract.formats)} if contract else
             {"title": "", "partner_name": "", "contact": "", "formats": []})
    data = {**asdict(entry), "headline": HEADLINES[entry.status], **about}
    _write(folder / f"{entry.batch_id}.json", json.dumps(data, indent=2))
    html = folder / f"{entry.batch_id}.html"
    _write(html, render("receipt.html.j2", r=data))
    return html


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
