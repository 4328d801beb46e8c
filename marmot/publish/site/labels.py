"""Display conventions: Fingertips benchmark colours (DOMAIN.md §2.10), trend labels (§2.11),
disclosure symbols (§2.12). Colour is never the only cue: every badge carries its words."""

from __future__ import annotations

BENCHMARK_CLASS = {"better": "better", "similar": "similar", "same": "similar", "worse": "worse",
                   "lower": "bob-lower", "higher": "bob-higher"}
SUPPRESSED = "*"  # Fingertips: value suppressed for disclosure control
NOT_AVAILABLE = "-"  # not calculated / not published
GROUP_NAMES = {"F": "Female", "M": "Male", "BME": "Black and minority ethnic"}  # breakdown codes of the marts


def group_name(code: str | None) -> str:
    """A sex or ethnic group's name for readers (the marts keep the code)."""
    return GROUP_NAMES.get(code or "", code or "")


def benchmark_class(label: str | None) -> str:
    """CSS class of a comparison result: better/similar/worse (RAG), bob-lower/higher, or none."""
    word = (label or "").strip().lower().split(" ")[0]
    return BENCHMARK_CLASS.get(word, "not-compared")


def trend_direction(label: str | None) -> str:
    """improving, worsening, changing (no polarity), flat or unknown, from a Fingertips trend label."""
    text = (label or "").lower()
    if "getting better" in text:
        return "improving"
    if "getting worse" in text:
        return "worsening"
    if text.startswith(("increasing", "decreasing")):
        return "changing"
    if text.startswith("no significant change"):
        return "flat"
    return "unknown"


def trend_arrow(label: str | None) -> str:
    """Fingertips draws the direction of the change; colour (from ``trend_direction``) says if it is good."""
    text = (label or "").lower()
    return {"increasing": "↑", "decreasing": "↓", "no": "→"}.get(text.split(" ")[0], "?")


def number(value, digits: int = 1) -> str:
    return NOT_AVAILABLE if value is None else f"{value:,.{digits}f}"
