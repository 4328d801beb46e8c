"""Claiming landed files, so parallel ingests never take the same file and nothing is lost.

A file is claimed by an atomic rename into ``landing/.processing/<host>-<pid>-<random>/``
(keeping its ``<partner>/<dataset>/<name>`` path). Files a crashed run left claimed are
recovered by the next run: their owner is a dead local process, or the claim is stale.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from pathlib import Path

from marmot.owners import owner_alive, owner_token

log = logging.getLogger(__name__)
IN_PROGRESS = (".part", ".tmp", ".filepart")  # uploads and pulls write these, then rename


def waiting_files(landing: Path, partner: str | None = None, dataset: str | None = None) -> list[Path]:
    """Landed files waiting, by path (uploads in progress and claimed files excluded).

    With a partner (and dataset) only that folder is walked: the triggerer's watchers and the
    publish DAG's ``settle`` ask this of every dataset every few seconds."""
    root = landing / partner / dataset if partner and dataset else landing / partner if partner else landing
    if not root.exists() or not root.resolve().is_relative_to(landing.resolve()):  # e.g. --partner ..
        return []
    selected = []
    for p in sorted(root.rglob("*")):
        parts = p.relative_to(landing).parts
        if (not p.is_file() or any(x.startswith(".") for x in parts[:-1]) or p.name.endswith(IN_PROGRESS)
                or (partner and parts[0] != partner)
                or (dataset and (len(parts) < 3 or parts[1] != dataset))):
            continue
        selected.append(p)
    return selected


class Claims:
    """One run's claims (a context manager that tidies its empty folders)."""

    def __init__(self, landing: Path):
        self.landing = landing
        self.root = landing / ".processing"
        self.dir = self.root / f"{owner_token()}-{secrets.token_hex(4)}"

    def __enter__(self) -> Claims:
        return self

    def __exit__(self, *exc) -> None:
        if self.dir.exists():  # remove our (now empty) folders; a file left here is recovered later
            for d in sorted((p for p in self.dir.rglob("*") if p.is_dir()), reverse=True):
                _rmdir_if_empty(d)
            _rmdir_if_empty(self.dir)

    def claim(self, path: Path, rel: Path | None = None) -> tuple[Path, Path] | None:
        """(claimed path, where it landed) or None when another process claimed it first."""
        rel = rel or path.relative_to(self.landing)
        target = self.dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        return target, rel

    def recover(self, partner: str | None, dataset: str | None) -> list[tuple[Path, Path]]:
        found = []
        for owner in sorted(self.root.glob("*")) if self.root.exists() else []:
            if owner == self.dir or not owner.is_dir() or owner_alive(owner.name.rsplit("-", 1)[0], owner):
                continue
            for f in sorted(p for p in owner.rglob("*") if p.is_file()):
                rel = f.relative_to(owner)
                if (partner and rel.parts[0] != partner) or (dataset and rel.parts[1:2] != (dataset,)):
                    continue
                if (claimed := self.claim(f, rel)) is not None:
                    log.warning("recovered %s, left unfinished by %s", rel, owner.name)
                    found.append(claimed)
            for d in sorted((p for p in owner.rglob("*") if p.is_dir()), reverse=True):
                _rmdir_if_empty(d)
            _rmdir_if_empty(owner)
        return found


def claim_each(claims: Claims, recovered: list[tuple[Path, Path]], waiting: list[Path]):
    """Claim files one at a time, just before each is ingested, so parallel runs share the work."""
    yield from recovered
    for path in waiting:
        if (claimed := claims.claim(path)) is not None:
            yield claimed


def _rmdir_if_empty(d: Path) -> None:
    with contextlib.suppress(OSError):
        d.rmdir()
