"""Locate and read the PHEindicatormethods test vectors in the shared folder.

The shared folder is $MARMOT_SHARED, defaulting to the `shared` folder next to the repository.
"""

import csv
import math
import os
from pathlib import Path

VECTORS = Path("reference", "phe_indicator_methods")


def shared_dir():
    default = Path(__file__).resolve().parents[2].parent / "shared"
    return Path(os.environ.get("MARMOT_SHARED", default))


def read_vectors(name, folder="csv"):
    """Rows of a vector CSV as dicts (BOM tolerated)."""
    with (shared_dir() / VECTORS / folder / name).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def num(text):
    """CSV field as float; blank or NA is NaN."""
    return math.nan if text in ("", "NA") else float(text)


def level(text):
    """Confidence field such as '95%' or '99.8%' as a fraction."""
    return float(text.rstrip("%")) / 100
