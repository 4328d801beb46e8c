"""What changed since the previous publication: tables, indicators, periods and values.

The previous version's DuckDB file is attached read-only next to the current one; when there
is no previous version (or it has been pruned), the page says so.
"""

from __future__ import annotations

from pathlib import Path

from marmot.publish.site.publication import Publication

SHOWN_VALUE_CHANGES = 200
KEY = ("indicator_id", "period", "geography_level", "area_code")


def compare(pub: Publication, previous: Path | None) -> dict:
    """``{"previous": version or None, "reason": why not compared, ...differences}``."""
    name = previous.name if previous else None
    db = previous / "marmot.duckdb" if previous else None
    if db is None or not db.exists():
        reason = "this is the first publication" if previous is None else f"version {name} is no longer kept"
        return {"previous": name, "reason": reason}
    pub.con.execute(f"ATTACH '{db}' AS prev (READ_ONLY)")
    try:
        return {"previous": name, "reason": None, **_differences(pub)}
    finally:
        pub.con.execute("DETACH prev")


def _differences(pub: Publication) -> dict:
    before = {r["table_name"]: r["estimated_size"] for r in pub.rows(
        "SELECT table_name, estimated_size FROM duckdb_tables() WHERE database_name = 'prev'")}
    tables = {"added": sorted(set(pub.tables) - set(before)), "removed": sorted(set(before) - set(pub.tables))}
    if "mart_indicator_values" not in before:
        return {"tables": tables, "indicators_added": [], "indicators_removed": [], "new_periods": [],
                "value_changes": [], "value_changes_total": 0}
    now, then = _indicators(pub, "main"), _indicators(pub, "prev.main")
    new_periods = pub.rows(
        "SELECT indicator_id, any_value(indicator_name) AS name, list(DISTINCT period ORDER BY period) AS periods "
        "FROM (SELECT indicator_id, indicator_name, period FROM main.mart_indicator_values "
        "      WHERE indicator_id IN (SELECT indicator_id FROM prev.main.mart_indicator_values) "
        "      EXCEPT SELECT indicator_id, indicator_name, period FROM prev.main.mart_indicator_values) "
        "GROUP BY indicator_id ORDER BY indicator_id")
    join = " AND ".join(f"a.{k} = b.{k}" for k in KEY)
    changed_sql = (f"FROM main.mart_indicator_values a JOIN prev.main.mart_indicator_values b ON {join} "
                   "WHERE a.value IS DISTINCT FROM b.value OR a.is_suppressed IS DISTINCT FROM b.is_suppressed")
    total = pub.con.execute(f"SELECT count(*) {changed_sql}").fetchone()[0]
    changes = pub.rows(
        "SELECT a.indicator_id, a.indicator_name AS name, a.period, a.geography_level AS level, a.area_name AS area, "
        "b.value AS before, a.value AS after, b.is_suppressed AS was_suppressed, a.is_suppressed AS suppressed "
        f"{changed_sql} ORDER BY a.indicator_id, a.period, a.geography_level, a.area_code "
        f"LIMIT {SHOWN_VALUE_CHANGES}")
    return {"tables": tables, "indicators_added": [{"id": i, "name": now[i]} for i in sorted(now.keys() - then.keys())],
            "indicators_removed": [{"id": i, "name": then[i]} for i in sorted(then.keys() - now.keys())],
            "new_periods": new_periods, "value_changes": changes, "value_changes_total": total}


def _indicators(pub: Publication, schema: str) -> dict[str, str]:
    return {r["id"]: r["name"] for r in pub.rows(
        f"SELECT indicator_id AS id, any_value(indicator_name) AS name FROM {schema}.mart_indicator_values "
        "GROUP BY indicator_id")}
