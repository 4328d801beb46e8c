"""How the ``marmot`` commands print tables."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(value: object) -> str:
    """``value`` on one line: control characters (a newline in a partner's file name) shown escaped, as ``\\n``."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), "" if value is None else str(value))


def print_table(columns: list[str], rows: list[tuple]) -> None:
    text = [[printable(v) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=False)))
    print("  ".join("-" * w for w in widths))
    for r in text:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)))
