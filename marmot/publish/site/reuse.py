"""A publication makes again only the exports and charts whose content changed.

- Exports (``exports/indicator-<id>.csv``, ``exports/principle-<key>.xlsx``): each is keyed by a hash of
  the rows it is written from and the code that writes it. When the previous version holds the same file
  under the same key (``REUSE_FILE`` in its folder), the new version gets a hard link to it instead of a
  new file: same bytes, no work. Both versions stay read-only: a hard link shares the file's inode, and
  every published file is mode 0444 before its version is renamed into place, so the shared file was
  read-only already and stays so; pruning the older version only removes its name for the file.
- Charts (vl-convert's SVG, most of an indicator page's time) are kept by a hash of their Vega-Lite spec
  and labels in a cache folder outside ``published/`` (``$MARMOT_HOME/cache/charts``, given by
  ``marmot.publish.snapshot``); it keeps only the charts the latest version used.

Pages themselves are always rendered (each names its version); only their costly parts are reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from marmot.atomic import write_text

REUSE_FILE = ".reuse.json"  # relative path -> key of each reusable file of a version


def code_version(*modules: str) -> str:
    """Hash of the source files of ``modules`` (what writes a file besides its rows)."""
    digest = hashlib.sha256()
    for name in modules:
        digest.update(Path(sys.modules[name].__file__).read_bytes())
    return digest.hexdigest()


def key(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class Reuse:
    """Exports and charts of the version being written into ``folder``, reused from ``previous`` where unchanged."""

    def __init__(self, folder: Path, previous: Path | None, charts: Path | None = None):
        self.folder, self.previous = Path(folder), Path(previous) if previous else None
        self.charts = Path(charts) if charts else None
        old = self.previous / REUSE_FILE if self.previous else None
        self.old: dict[str, str] = json.loads(old.read_text()) if old and old.is_file() else {}
        self.keys: dict[str, str] = {}  # what this process wrote or linked, by relative path
        self.used_charts: set[str] = set()
        self.linked = 0

    def file(self, rel: str, file_key: str, make: Callable[[Path], None]) -> None:
        """``folder/rel``: a hard link to the previous version's file when its key is the same, else ``make`` it."""
        target = self.folder / rel
        self.keys[rel] = file_key
        if self.old.get(rel) == file_key and self.previous:
            try:
                os.link(self.previous / rel, target)
                self.linked += 1
                return
            except OSError:  # gone, or another file system: make it
                pass
        make(target)

    def chart(self, chart_key: str, make: Callable[[], str]) -> str:
        if self.charts is None:
            return make()
        self.used_charts.add(chart_key)
        cached = self.charts / f"{chart_key}.svg"
        try:
            return cached.read_text(encoding="utf-8")
        except FileNotFoundError:
            svg = make()
            write_text(cached, svg)
            return svg

    def drain(self) -> tuple[dict[str, str], set[str], int]:
        """What this process did since the last drain (a worker returns it with each page)."""
        out = (self.keys, self.used_charts, self.linked)
        self.keys, self.used_charts, self.linked = {}, set(), 0
        return out


def finish(folder: Path, keys: dict[str, str], charts: Path | None, used_charts: set[str]) -> None:
    """Write the version's reuse keys; keep in the chart cache only the charts this version used."""
    write_text(Path(folder) / REUSE_FILE, json.dumps(keys, indent=0, sort_keys=True))
    if charts and (cache := Path(charts)).is_dir():
        for f in cache.iterdir():
            if f.suffix == ".svg" and f.stem not in used_charts:
                f.unlink(missing_ok=True)
