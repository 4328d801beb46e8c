"""The overview at a glance, in the manner of the OHID Fingertips "tartan rug": one row per indicator, grouped by
principle, with Coventry's value and how it compares with England, the West Midlands and its peers, its recent
trend and whether its deprivation gap is widening; each cell coloured by significance and polarity (better,
similar, worse; light and dark blue for lower and higher where higher is neither good nor bad) and carrying its
words too, never colour alone. Above it, in words: what is worse than England and getting worse, which gaps are
widening, and each principle's counts.

Coventry against the region comes from ``mart_indicator_latest.region_comparison``; against its peers (no mart
column) by Fingertips method 1 (``marmot.stats.benchmarking.compare_ci``): the peers' median against Coventry's
95% interval, as the region and England are compared.
"""

from __future__ import annotations

from marmot.publish.site import labels
from marmot.publish.site.maps import compare_with_city
from marmot.stats.benchmarking import NOT_COMPARED, compare_ci

POLARITY = {"HiG": "RAG - High is good", "LiG": "RAG - Low is good", "BOB": "BOB"}
TREND_WORDS = {"improving": "Getting better", "worsening": "Getting worse", "flat": "No change",
               "unknown": "Not calculated"}
GAP_WORDS = {"no significant change": "No change", "cannot be calculated": "Not calculated"}  # short, in the grid
GAP_CLASS = {"widening": "worse", "narrowing": "better", "no significant change": "flat"}


UNCONFIRMED = " (the peer list is recalled, not yet confirmed against the CIPFA Nearest Neighbours Model)"


def _cell(label: str | None, value=None, title: str | None = None) -> dict:
    label = label or NOT_COMPARED
    return {"label": label, "class": labels.benchmark_class(label), "value": value, "title": title}


def _compared(ind: dict, comparator: float | None) -> str:
    city = ind.get("city") or {}
    polarity = POLARITY.get(ind.get("polarity") or "")
    if city.get("suppressed") or polarity is None:
        return NOT_COMPARED
    return compare_ci(city.get("value"), city.get("lower"), city.get("upper"), comparator, polarity)


def gap_trend(latest: dict | None) -> dict:
    """Whether the deprivation gap widens: the SII over the last five periods where it could be tested
    (``sii_trend``), else the quintile gap against the previous period (``quintile_gap_change``)."""
    latest = latest or {}
    sii = latest.get("sii_trend")
    if sii and sii != "Cannot be calculated":
        label, basis = sii, "slope index of inequality over the last five periods"
    else:
        label = latest.get("quintile_gap_change")
        basis = "gap between the least and most deprived quintiles against the previous period"
    label = label or "Cannot be calculated"
    return {"label": GAP_WORDS.get(label.lower(), label), "full": label, "class": GAP_CLASS.get(label.lower(),
            "not-compared"), "basis": basis, "sii": bool(sii and sii != "Cannot be calculated"),
            "widening": label.lower() == "widening"}


def row(ind: dict, comparators: dict[str, dict]) -> dict:
    """One indicator's cells (dicts with ``label``, CSS ``class`` and ``value``)."""
    latest = ind.get("latest") or {}
    england, region, peers = (comparators.get(k) or {} for k in ("england", "region", "peer_median"))
    england_value = latest.get("england_value", england.get("value"))
    region_value = latest.get("region_value", region.get("value"))
    direction = labels.trend_direction(latest.get("trend_label"))
    trend_word = TREND_WORDS.get(direction) or (latest.get("trend_label") or "").split(" ")[0].capitalize()
    return {
        "ind": ind,
        "coventry": _cell(latest.get("england_comparison")),
        "england": {"value": england_value,
                    "approximate": bool(latest.get("england_value_is_approximate") or england.get("is_approximate")),
                    "synthetic": bool(latest.get("comparators_are_synthetic") or england.get("is_synthetic"))},
        "region": _cell(latest.get("region_comparison") or _compared(ind, region_value), region_value),
        "peers": {**_cell(_compared(ind, peers.get("value")), peers.get("value"),
                          title=f"the median of {peers['peers_with_values']} CIPFA nearest neighbours with a value"
                          + (UNCONFIRMED if peers.get("is_peer_list_verified") is False else "")
                          if peers.get("peers_with_values") else None),
                  "unconfirmed": peers.get("is_peer_list_verified") is False},
        "trend": {"label": trend_word, "full": latest.get("trend_label") or "Trend not published",
                  "reason": latest.get("trend_reason"), "direction": direction,
                  "arrow": labels.trend_arrow(latest.get("trend_label"))},
        "gap": gap_trend(latest),
        "spread": england if england.get("authorities") else next(
            (c for c in (region, peers) if c.get("authorities")), None),
    }


def wards_worse(indicators: list[dict], ward_values: dict[str, list[dict]], shown: int = 5) -> list[dict]:
    """The wards worse than Coventry on the most indicators of their latest period (each ward's 95% interval
    wholly on the worse side of the city value, by polarity; indicators without a polarity are not counted), with
    how many indicators each was compared on and which were worse; at most ``shown``, most first."""
    wards: dict[str, dict] = {}
    for ind in indicators:
        if ind.get("polarity") not in ("HiG", "LiG"):
            continue
        for r in ward_values.get(ind["id"], []):
            result = compare_with_city(r, ind.get("city"), ind["polarity"])
            if result == "Not compared":
                continue
            ward = wards.setdefault(r["area"], {"ward": r["area"], "worse": [], "compared": 0})
            ward["compared"] += 1
            if result == "Worse":
                ward["worse"].append(ind)
    ranked = sorted((w for w in wards.values() if w["worse"]), key=lambda w: (-len(w["worse"]), w["ward"]))
    return ranked[:shown]


def glance(principles: list[dict], indicators: list[dict], comparators: dict[str, dict[str, dict]],
           groups_worse: dict[str, list[str]] | None = None, ward_values: dict[str, list[dict]] | None = None) -> dict:
    """The overview's grid (rows grouped by principle), its headline lists (with the sex and ethnic groups worse
    than Coventry as a whole, ``groups_worse``) and a tile of counts per principle."""
    rows = [row(i, comparators.get(i["id"], {})) for i in indicators]
    worse_groups = [(r, (groups_worse or {})[r["ind"]["id"]]) for r in rows if (groups_worse or {}).get(r["ind"]["id"])]
    groups, tiles = [], []
    for p in principles:
        mine = [r for r in rows if r["ind"]["principle"] == p["key"]]
        groups.append({"principle": p, "rows": mine})
        count = {k: sum(r["coventry"]["class"] == k for r in mine) for k in ("better", "similar", "worse")}
        count.update({k: sum(r["trend"]["direction"] == k for r in mine) for k in ("improving", "worsening")},
                     widening=sum(r["gap"]["widening"] for r in mine), indicators=len(mine),
                     no_judgement=sum(r["coventry"]["class"] in ("bob-lower", "bob-higher") for r in mine))
        tiles.append({"principle": p, **count})
    return {"groups": groups, "tiles": tiles, "rows": rows,
            "worse": [r for r in rows if r["coventry"]["class"] == "worse"],
            "worse_and_worsening": [r for r in rows if r["coventry"]["class"] == "worse"
                                    and r["trend"]["direction"] == "worsening"],
            "widening": [r for r in rows if r["gap"]["widening"]],
            "worse_groups": worse_groups, "worse_groups_count": sum(len(g) for _, g in worse_groups),
            "wards_worse": wards_worse(indicators, ward_values or {})}
