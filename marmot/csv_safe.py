"""Formula-safe text for CSV and Excel files: a cell a spreadsheet would run as a formula is quoted.

Shared: publish writes its exports with it, ingest the partners' rejected-rows files beside their receipts."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """Text cells a spreadsheet would run as a formula get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
