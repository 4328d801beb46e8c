"""Land a folder of partner files as a partner's drop would (``marmot land``, the demo, tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

from marmot.atomic import replacing


def copy_into_landing(src: Path, landing: Path) -> list[Path]:
    """Land a folder of partner files (``<partner>/<dataset>/<file>``) as a partner's drop would.

    Files elsewhere in the folder (the generator's README_SYNTHETIC.txt and _faults.json) are not landed.
    """
    landed = []
    for f in sorted(p for p in src.rglob("*") if p.is_file() and len(p.relative_to(src).parts) == 3):
        target = landing / f.relative_to(src)
        with replacing(target) as tmp:
            shutil.copyfile(f, tmp)
        landed.append(target)
    return landed
