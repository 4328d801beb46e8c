"""Write a file so that a reader (or a crash) sees the old content or the new, never half: the new
content goes to a temporary file beside it (``.<name>.tmp``, which landing and dbt's globs skip) and
is renamed onto it in one step.

What only the platform's user may read (the archive of original files, the ledger, rejects, the pseudonym
key) is written with a ``mode`` (``PRIVATE`` or ``READ_ONLY_PRIVATE``) into folders made by ``private_dirs``
(0700): the file has its mode before it appears, and the temporary file is inside a private folder."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE = 0o600
READ_ONLY_PRIVATE = 0o400
PRIVATE_DIR = 0o700


def private_dirs(root: Path, *parts: str) -> Path:
    """``root/parts...``, each level made (or made again) readable by the platform's user only; ``root``'s
    parent is made as usual. A leaf that is already a private folder was made here, levels above it
    included: one ``stat`` then (ingest asks for the same folders for every file it loads)."""
    leaf = root.joinpath(*parts)
    try:
        mode = os.stat(leaf).st_mode
        if stat.S_ISDIR(mode) and stat.S_IMODE(mode) == PRIVATE_DIR:
            return leaf
    except FileNotFoundError:
        pass
    root.parent.mkdir(parents=True, exist_ok=True)
    folder = root
    for part in ("", *parts):
        folder = folder / part
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        folder.chmod(PRIVATE_DIR)  # also a folder made before it was private
    return folder


@contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to (for writers that need a path: pyarrow, DuckDB,
    a copy); renamed onto ``path`` (with ``mode`` when given) when the block ends, removed when it raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        if mode is not None:
            tmp.chmod(mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    with replacing(path, mode) as tmp:
        tmp.write_bytes(data)


def write_text(path: Path, text: str, mode: int | None = None) -> None:
    write_bytes(path, text.encode("utf-8"), mode)
