"""Formula-safe text for CSV and Excel exports (the shared ``marmot.csv_safe``, kept importable here)."""

from __future__ import annotations

from marmot.csv_safe import FORMULA_PREFIXES, csv_safe

__all__ = ["FORMULA_PREFIXES", "csv_safe"]
