"""What a build was made from: the ledger (which batches) and the code (dbt project, contracts and the Python
the dbt Python models run).

A build whose ledger fingerprint equals the last successful one has nothing new to build; a
changed code fingerprint makes the next build rebuild every incremental table in full.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from marmot.atomic import write_text
from marmot.ingest import ledger
from marmot.settings import Paths, contracts_dir, dbt_project_dir

NOT_CODE = {"target", "logs", "__pycache__"}  # what dbt or Python may write into the project
# what the dbt Python models compute with (their modules and the statistics they call): a corrected method must
# recompute every value made with it, not only the lineage of the datasets that happen to change next
MODEL_CODE = (Path(__file__).parent / "models", Path(__file__).parents[1] / "stats")


def code_fingerprint(roots: tuple[Path, ...] | None = None) -> str:
    """Hash of the files of ``roots`` (default: the dbt project, the contracts and ``MODEL_CODE``): what the
    warehouse's tables were made with (hidden files and dbt's own output left out)."""
    digest = hashlib.sha256()
    for root in roots or (dbt_project_dir(), contracts_dir(), *MODEL_CODE):
        for f in sorted(root.rglob("*")):
            parts = f.relative_to(root).parts
            if not f.is_file() or NOT_CODE & set(parts) or any(part.startswith(".") for part in parts):
                continue
            digest.update(f"{f.relative_to(root.parent)}\0".encode())
            digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def ledger_fingerprint(entries: list[ledger.Entry]) -> str:
    """Changes whenever a batch is loaded, superseded or otherwise changes status."""
    return hashlib.sha256(json.dumps(sorted((e.batch_id, e.status) for e in entries)).encode()).hexdigest()


def dataset_fingerprints(entries: list[ledger.Entry]) -> dict[str, str]:
    """Per partner dataset (``<partner>__<dataset>``), the fingerprint of its ledger entries: it changes
    when one of its batches is loaded, superseded or otherwise changes status, and only then."""
    by_dataset: dict[str, list] = {}
    for e in entries:
        by_dataset.setdefault(f"{e.partner}__{e.dataset}", []).append((e.batch_id, e.status))
    return {k: hashlib.sha256(json.dumps(sorted(v)).encode()).hexdigest() for k, v in sorted(by_dataset.items())}


def _built_file(paths: Paths) -> Path:
    return paths.home / "warehouse" / "built_from.json"


def record_built(paths: Paths, fingerprint: str, code: str, datasets: dict[str, str] | None = None) -> None:
    """Record what the last successful build was made from: the ledger, the code (``code_fingerprint``)
    and each dataset's entries (``dataset_fingerprints``, for the next build to select what changed)."""
    write_text(_built_file(paths), json.dumps({"ledger_fingerprint": fingerprint, "code_fingerprint": code,
                                               "datasets": datasets}))


def changed_datasets(paths: Paths, datasets: dict[str, str]) -> set[str] | None:
    """The datasets whose ledger entries differ from those of the last successful build; None when that
    build recorded none (before the first build, or recorded by an older version)."""
    built = _built_file(paths)
    recorded = json.loads(built.read_text()).get("datasets") if built.exists() else None
    if recorded is None:
        return None
    return {k for k in set(recorded) | set(datasets) if recorded.get(k) != datasets.get(k)}


def built_with_code(paths: Paths) -> str | None:
    """The code fingerprint of the last successful build (None before the first)."""
    built = _built_file(paths)
    return json.loads(built.read_text()).get("code_fingerprint") if built.exists() else None


def already_built(paths: Paths) -> bool:
    """The last successful build was made from the ledger as it is now."""
    built = _built_file(paths)
    return built.exists() and json.loads(built.read_text())["ledger_fingerprint"] == ledger_fingerprint(
        ledger.read_all(paths.ledger))
