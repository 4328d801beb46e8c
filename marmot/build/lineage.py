"""What an increment builds: the lineage of the partner datasets that changed, not all ~234 dbt nodes.

A build's inputs are the dbt project and the contracts (the code), the seeds (code too), the partner
datasets' raw batches and the platform's own sources (the ledger snapshot and the contracts' schedule as
of the build's date, written by every build). With the code unchanged since the last successful build,
a model can only differ from what that build left when one of its ancestors is a platform source or the
source of a dataset whose ledger entries changed since (``fingerprint.changed_datasets``).

One edge is cut: every partner staging model joins the ledger (macros/current_batch_rows.sql) but keeps
only the rows of its own dataset's loaded batches, so a new batch of another dataset leaves it unchanged.
A staging model is selected only when the source of one of the datasets it reads changed.

Everything else downstream is selected: the intermediate models and marts that union every indicator are
rebuilt (from the staging tables, which hold the current rows already). The selection is computed from
the ``manifest.json`` the last dbt invocation wrote, which describes this code: a build only selects
when the code fingerprint equals the last successful build's.
"""

from __future__ import annotations

import json
from pathlib import Path

PLATFORM_SOURCE = "platform"
BUILT = ("model.", "snapshot.")  # seeds are code: unchanged when the code fingerprint is


def load_manifest(target: Path) -> dict | None:
    manifest = target / "manifest.json"
    return json.loads(manifest.read_text()) if manifest.exists() else None


def dataset_of(source: dict) -> str:
    """The contract id (``<partner>__<dataset>``) of a partner source."""
    return f"{source['source_name']}__{source['name']}"


def selection(manifest: dict, changed: set[str]) -> list[str]:
    """Names of the models to build when the datasets ``changed`` (contract ids) received or lost batches:
    the descendants of the platform sources and of the changed datasets' sources, without the staging
    models of datasets that did not change. Their tests come with them (dbt's indirect selection)."""
    nodes, sources, children = manifest["nodes"], manifest["sources"], manifest["child_map"]
    partner = {uid: dataset_of(s) for uid, s in sources.items() if s["source_name"] != PLATFORM_SOURCE}
    reads: dict[str, set[str]] = {}  # model -> the partner datasets it reads directly
    for uid, node in nodes.items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in partner:
                reads.setdefault(uid, set()).add(partner[parent])
    stack = [uid for uid in sources if uid not in partner or partner[uid] in changed]
    selected: set[str] = set()
    while stack:
        for child in children.get(stack.pop(), []):
            if child in selected or not child.startswith(BUILT):
                continue
            if child in reads and not reads[child] & changed:
                continue  # reaches it only through the ledger: its dataset's rows are the same
            selected.add(child)
            stack.append(child)
    return sorted(nodes[uid]["name"] for uid in selected)
