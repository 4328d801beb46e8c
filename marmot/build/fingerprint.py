"""What a build was made from: the ledger (which batches) and the code (dbt project and contracts).

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


def code_fingerprint(roots: tuple[Path, ...] | None = None) -> str:
    """Hash of the files of ``roots`` (default: the dbt project and the contracts): what the incremental
    staging tables were made with (hidden files and dbt's own output left out)."""
    digest = hashlib.sha256()
    for root in roots or (dbt_project_dir(), contracts_dir()):
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


def _built_file(paths: Paths) -> Path:
    return paths.home / "warehouse" / "built_from.json"


def record_built(paths: Paths, fingerprint: str, code: str) -> None:
    """Record what the last successful build was made from: the ledger and the code
    (``code_fingerprint``)."""
    write_text(_built_file(paths), json.dumps({"ledger_fingerprint": fingerprint, "code_fingerprint": code}))


def built_with_code(paths: Paths) -> str | None:
    """The code fingerprint of the last successful build (None before the first)."""
    built = _built_file(paths)
    return json.loads(built.read_text()).get("code_fingerprint") if built.exists() else None


def already_built(paths: Paths) -> bool:
    """The last successful build was made from the ledger as it is now."""
    built = _built_file(paths)
    return built.exists() and json.loads(built.read_text())["ledger_fingerprint"] == ledger_fingerprint(
        ledger.read_all(paths.ledger))
