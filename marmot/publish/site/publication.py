"""Read one published version (its DuckDB file, manifest and validation results) for the site.

``mart_indicator_values`` and ``mart_publication_sources`` are required: without them there is
no site. The bigger-picture marts are optional while they are being built: a page renders what
the version holds and names what it lacks (``Publication.missing``), never hiding it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from marmot.publish.site.labels import group_name
from marmot.validate import dictionary

REQUIRED = ("mart_indicator_values", "mart_publication_sources")
# optional mart -> the columns the site reads from it (dbt_project/models/marts/_marts__models.yml)
OPTIONAL: dict[str, tuple[str, ...]] = {
    "mart_indicator_latest": ("indicator_id", "latest_period", "england_value", "england_comparison", "trend_label",
                              "trend_code", "trend_reason", "quintile_gap", "quintile_gap_lower_95",
                              "quintile_gap_upper_95", "quintile_gap_change"),
    "mart_principle_summary": ("principle_key", "improving", "worsening", "no_significant_or_no_judgement",
                               "trend_not_calculated", "better_than_england", "similar_to_england",
                               "worse_than_england", "compared_with_approximate_england", "gaps_widening",
                               "gaps_narrowing"),
    "mart_partner_activities": ("principle_key", "ward_name", "quarter", "programmes", "people_reached",
                                "proportionate_universalism_programmes", "case_studies", "case_study_titles"),
    "mart_case_studies": ("principle_key", "quarter", "ward_name", "partner_name", "title", "summary", "outcome"),
    "mart_indicator_breakdowns": ("indicator_id", "period", "breakdown", "breakdown_value", "value", "lower_95",
                                  "upper_95", "is_suppressed", "england_comparison"),
    "mart_indicator_metadata": ("indicator_id", "definition", "numerator_definition", "denominator_definition",
                                "method_name", "method_description", "method_reference", "confidence_levels",
                                "polarity_name", "polarity_description", "breakdowns", "frequency",
                                "source_partner_name", "source_dataset_title", "data_status_page",
                                "last_data_received_at", "caveats", "how_to_read", "gap_definition",
                                "suppression_rule"),
    "mart_indicator_comparators": ("indicator_id", "period", "comparator_kind", "area_name", "value", "lower_95",
                                   "upper_95", "peers_with_values", "source", "is_approximate", "is_synthetic",
                                   "is_mapping_verified", "is_peer_list_verified", "authorities", "authorities_min",
                                   "authorities_q1", "authorities_median", "authorities_q3", "authorities_max"),
    "mart_indicator_inequalities": ("indicator_id", "period", "period_note", "quintile_gap", "quintile_gap_lower_95",
                                    "quintile_gap_upper_95", "quintile_gap_change", "sii", "sii_lower_95",
                                    "sii_upper_95", "rii", "rii_lower_95", "rii_upper_95", "sii_reason", "sii_change",
                                    "sii_trend", "sii_trend_reason", "sii_definition"),
    "mart_area_boundaries": ("area_level", "area_code", "area_name", "boundary_year", "geometry", "is_synthetic"),
    "mart_indicator_group_comparisons": ("indicator_id", "period", "breakdown", "breakdown_value", "comparator_type",
                                         "comparator", "reference_note", "value", "comparator_value", "ratio",
                                         "ratio_lower_95", "ratio_upper_95", "difference", "difference_lower_95",
                                         "difference_upper_95", "comparison", "comparison_reason"),
}
LEVEL_ORDER = "CASE geography_level WHEN 'city' THEN 0 WHEN 'imd_quintile' THEN 1 ELSE 2 END"


class NotPublishable(RuntimeError):
    """The version lacks a table every page needs."""


@dataclass
class Publication:
    folder: Path
    con: duckdb.DuckDBPyConnection
    manifest: dict
    tables: list[str]
    missing: dict[str, str] = field(default_factory=dict)  # optional mart -> why it is not used
    _columns: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, folder: Path) -> Publication:
        con = duckdb.connect(str(folder / "marmot.duckdb"), read_only=True)
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        if absent := [t for t in REQUIRED if t not in tables]:
            con.close()
            raise NotPublishable(f"{folder} lacks {absent}: the site needs them")
        path = folder / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        pub = cls(folder, con, manifest, tables)
        for table, needed in OPTIONAL.items():
            if table not in tables:
                pub.missing[table] = "not in this version"
            elif lacking := [c for c in needed if c not in pub.columns(table)]:
                pub.missing[table] = f"lacks columns {', '.join(lacking)}"
        return pub

    def close(self) -> None:
        self.con.close()

    def has(self, table: str) -> bool:
        return table in self.tables and table not in self.missing

    def columns(self, table: str) -> list[str]:
        """The table's columns, asked once per table: the version's file is read-only (every indicator page asked
        again: 0.6 s of a one-file publication)."""
        if table not in self._columns:
            self._columns[table] = [r[0] for r in self.con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                [table]).fetchall()]
        return self._columns[table]

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=False)) for r in cur.fetchall()]

    @property
    def version(self) -> str:
        return self.manifest.get("version") or self.folder.name

    @property
    def synthetic(self) -> bool:
        return bool(self.con.execute("SELECT coalesce(bool_or(is_synthetic), false) "
                                     "FROM mart_publication_sources").fetchone()[0])

    # -- indicators ---------------------------------------------------------------------------
    def principles(self) -> list[dict]:
        found = self.rows("SELECT principle_key AS key, any_value(principle_label) AS label, "
                          "count(DISTINCT indicator_id) AS indicators FROM mart_indicator_values "
                          "GROUP BY principle_key ORDER BY principle_key")
        summary = self._by("mart_principle_summary", "principle_key")
        for p in found:
            p["summary"] = summary.get(p["key"])
        return found

    def _by(self, table: str, key: str) -> dict[str, dict]:
        return {r[key]: r for r in self.rows(f'SELECT * FROM "{table}"')} if self.has(table) else {}

    def indicators(self) -> list[dict]:
        """One record per indicator: catalogue fields, latest period, city value there, the bigger picture and
        its metadata (definition, method in words, source, caveats, how to read)."""
        found = self.rows(
            "SELECT indicator_id AS id, any_value(indicator_name) AS name, any_value(principle_key) AS principle, "
            "any_value(principle_label) AS principle_label, any_value(unit) AS unit, "
            "any_value(polarity) AS polarity, any_value(method) AS method, max(period) AS period, "
            "count(DISTINCT period) AS periods FROM mart_indicator_values GROUP BY indicator_id ORDER BY indicator_id")
        latest = self._by("mart_indicator_latest", "indicator_id")
        metadata = self._by("mart_indicator_metadata", "indicator_id")
        for ind in found:
            if ind["id"] in latest:  # the latest complete period (a part year is never the headline)
                ind["period"] = latest[ind["id"]]["latest_period"]
            city = self.values(ind["id"], period=ind["period"], level="city")
            ind.update(city=city[0] if city else None, latest=latest.get(ind["id"]), metadata=metadata.get(ind["id"]))
        return found

    def _of_latest_periods(self, indicators: list[dict], sql: str) -> dict[str, list[dict]]:
        """Per indicator, the rows of ``sql`` (with ``indicator_id`` and ``period``) of its latest period, in the
        query's order: one query for every indicator of a page."""
        periods = {i["id"]: i["period"] for i in indicators}
        out: dict[str, list[dict]] = {}
        for r in self.rows(sql):
            if periods.get(r["indicator_id"]) == r["period"]:
                out.setdefault(r["indicator_id"], []).append(r)
        return out

    def ward_values(self, indicators: list[dict]) -> dict[str, list[dict]]:
        """Per indicator, its ward rows of its latest period (for the overview)."""
        return self._of_latest_periods(
            indicators, "SELECT indicator_id, period, area_code, area_name AS area, value, lower_95 AS lower, "
                        "upper_95 AS upper, is_suppressed AS suppressed FROM mart_indicator_values "
                        "WHERE geography_level = 'ward' ORDER BY indicator_id, area_code")

    def values(self, indicator_id: str, *, period: str | None = None, level: str | None = None) -> list[dict]:
        columns = self.columns("mart_indicator_values")
        def optional(column: str) -> str:  # a column older versions lack
            return column if column in columns else "NULL"

        sql = ("SELECT period, geography_level AS level, area_code, area_name AS area, numerator, denominator, "
               "value, lower_95 AS lower, upper_95 AS upper, is_suppressed AS suppressed, suppression_reason, "
               f"{optional('england_value')} AS england, "
               f"{optional('england_value_is_approximate')} AS england_value_is_approximate, "
               f"{optional('comparators_are_synthetic')} AS comparators_are_synthetic, "
               f"{optional('period_note')} AS period_note FROM mart_indicator_values WHERE indicator_id = ?")
        params: list = [indicator_id]
        if period is not None:
            sql, params = sql + " AND period = ?", params + [period]
        if level is not None:
            sql, params = sql + " AND geography_level = ?", params + [level]
        return self.rows(sql + f" ORDER BY period, {LEVEL_ORDER}, area_code", params)

    def breakdowns(self, indicator_id: str, period: str) -> list[dict]:
        if not self.has("mart_indicator_breakdowns"):
            return []
        approximate = ("england_value_is_approximate" if "england_value_is_approximate"
                       in self.columns("mart_indicator_breakdowns") else "NULL")  # older versions lack it
        return self.rows("SELECT breakdown, breakdown_value AS area, value, lower_95 AS lower, upper_95 AS upper, "
                         f"is_suppressed AS suppressed, england_comparison, {approximate} "
                         "AS england_value_is_approximate FROM mart_indicator_breakdowns "
                         "WHERE indicator_id = ? AND period = ? ORDER BY breakdown, breakdown_value",
                         [indicator_id, period])

    def dictionary(self) -> list[dict]:
        """The published tables, each with its description and its columns' (marmot.validate.dictionary)."""
        tables: dict[str, dict] = {}
        for e in dictionary.entries(self.con):
            table = tables.setdefault(e["table_name"], {"name": e["table_name"],
                                                        "description": e["table_description"], "columns": []})
            table["columns"].append(e)
        return list(tables.values())

    def comparators(self, indicator_id: str, period: str) -> list[dict]:
        """England, the region and the peers' median of one indicator period, each with the spread of all
        upper-tier authorities (none when the version has no mart_indicator_comparators)."""
        if not self.has("mart_indicator_comparators"):
            return []
        return self.rows("SELECT * FROM mart_indicator_comparators WHERE indicator_id = ? AND period = ? "
                         "AND comparator_kind <> 'peer' ORDER BY CASE comparator_kind WHEN 'england' THEN 0 "
                         "WHEN 'region' THEN 1 ELSE 2 END", [indicator_id, period])

    def comparator_sets(self, indicators: list[dict]) -> dict[str, dict[str, dict]]:
        """Per indicator, its England, region and peer-median comparator rows of the indicator's latest period
        (``{"england": row, "region": row, "peer_median": row}``), each carrying the spread of all upper-tier
        authorities; empty without mart_indicator_comparators."""
        if not self.has("mart_indicator_comparators"):
            return {}
        found = self._of_latest_periods(
            indicators, "SELECT * FROM mart_indicator_comparators WHERE comparator_kind <> 'peer' "
                        "ORDER BY indicator_id, comparator_kind")
        return {i: {r["comparator_kind"]: r for r in rows} for i, rows in found.items()}

    def groups_worse(self, indicators: list[dict]) -> dict[str, list[str]]:
        """Per indicator, the sex and ethnic groups worse than Coventry as a whole in its latest period (by the
        mart's comparison, polarity applied); empty without mart_indicator_group_comparisons."""
        if not self.has("mart_indicator_group_comparisons"):
            return {}
        found = self._of_latest_periods(
            indicators, "SELECT indicator_id, period, breakdown_value FROM mart_indicator_group_comparisons "
                        "WHERE comparator_type = 'coventry' AND comparison = 'Worse' "
                        "ORDER BY indicator_id, breakdown, breakdown_value")
        return {i: [group_name(r["breakdown_value"]) for r in rows] for i, rows in found.items()}

    def inequalities(self, indicator_id: str) -> list[dict]:
        """The quintile gap, SII and RII of every period of one indicator (none without the mart)."""
        if not self.has("mart_indicator_inequalities"):
            return []
        return self.rows("SELECT * FROM mart_indicator_inequalities WHERE indicator_id = ? ORDER BY period",
                         [indicator_id])

    def group_comparisons(self, indicator_id: str, period: str) -> list[dict]:
        """Each sex and ethnic group against its reference group and Coventry in one period."""
        if not self.has("mart_indicator_group_comparisons"):
            return []
        return self.rows("SELECT * FROM mart_indicator_group_comparisons WHERE indicator_id = ? AND period = ? "
                         "ORDER BY breakdown, comparator_type DESC, breakdown_value", [indicator_id, period])

    def boundaries(self, level: str = "ward") -> list[dict]:
        """The loaded boundaries of one level (GeoJSON geometry text), the latest boundary year only; none without
        ``mart_area_boundaries`` (the site then draws a tile map)."""
        if not self.has("mart_area_boundaries"):
            return []
        return self.rows("SELECT area_code, area_name, geometry, is_synthetic FROM mart_area_boundaries "
                         "WHERE area_level = ? AND boundary_year = (SELECT max(boundary_year) FROM "
                         "mart_area_boundaries WHERE area_level = ?) ORDER BY area_code", [level, level])

    # -- partner activities -------------------------------------------------------------------
    def activities(self, principle_key: str) -> dict | None:
        """The latest quarter's programmes per ward (universal and proportionate to need), the people reached per
        ward in each of the last quarters, and every case study (with its text where the version has it), for one
        principle."""
        if not self.has("mart_partner_activities"):
            return None
        where = "FROM mart_partner_activities WHERE principle_key = ?"
        quarter = self.con.execute(f"SELECT max(quarter) {where} AND programmes > 0", [principle_key]).fetchone()[0]
        wards = self.rows(f"SELECT ward_name, programmes, people_reached, proportionate_universalism_programmes "
                          f"{where} AND quarter = ? AND programmes > 0 ORDER BY people_reached DESC, ward_name",
                          [principle_key, quarter])
        quarters = [r[0] for r in self.con.execute(f"SELECT DISTINCT quarter {where} AND programmes > 0 "
                                                   "ORDER BY quarter DESC LIMIT 6", [principle_key]).fetchall()][::-1]
        reached: dict[str, dict[str, int]] = {}
        for r in self.rows(f"SELECT ward_name, quarter, people_reached {where} AND programmes > 0 "
                           "ORDER BY ward_name", [principle_key]):
            if r["quarter"] in quarters:
                reached.setdefault(r["ward_name"], {})[r["quarter"]] = r["people_reached"]
        history = sorted(reached.items(), key=lambda w: (-sum(w[1].values()), w[0]))
        return {"quarter": quarter, "wards": wards, "quarters": quarters, "history": history,
                "case_studies": self.case_studies(principle_key)}

    def case_studies(self, principle_key: str) -> list[dict]:
        """Every case study of one principle, newest first: from mart_case_studies (title, partner, ward, summary
        and outcome) when the version has it, else only the titles mart_partner_activities carries."""
        if self.has("mart_case_studies"):
            return self.rows("SELECT quarter, ward_name, partner_name, title, summary, outcome FROM mart_case_studies "
                             "WHERE principle_key = ? ORDER BY quarter DESC, ward_name, title", [principle_key])
        out = []
        for r in self.rows("SELECT quarter, ward_name, case_study_titles FROM mart_partner_activities "
                           "WHERE principle_key = ? AND case_studies > 0 ORDER BY quarter DESC, ward_name",
                           [principle_key]):
            out += [{"quarter": r["quarter"], "ward_name": r["ward_name"], "partner_name": None, "title": t,
                     "summary": None, "outcome": None} for t in (r["case_study_titles"] or "").split("; ") if t]
        return out

    # -- partners and quality ------------------------------------------------------------------
    def partner_status(self) -> dict | None:
        """``partner_status.json`` (``marmot.publish.snapshot.write_partner_status``), or None in an older version."""
        path = self.folder / "partner_status.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def sources(self) -> list[dict]:
        return self.rows(
            "SELECT partner, dataset, count(*) AS files, sum(rows_loaded) AS rows_loaded, "
            "min(received_at) AS first_received, max(received_at) AS last_received, "
            "bool_or(is_synthetic) AS synthetic FROM mart_publication_sources "
            "GROUP BY partner, dataset ORDER BY partner, dataset")

    def quality(self) -> dict[str, dict]:
        """Per raw dataset suite (``raw__<partner>__<dataset>``): passed, failed and warning counts."""
        path = self.folder / "validation" / "results.json"
        if not path.exists():
            return {}
        out: dict[str, dict] = {}
        for o in json.loads(path.read_text(encoding="utf-8")).get("outcomes", []):
            key = o["suite"].removeprefix("raw__")
            c = out.setdefault(key, {"passed": 0, "failed": 0, "warnings": 0, "problems": []})
            if o["status"] == "passed":
                c["passed"] += 1
            elif o["severity"] == "critical":
                c["failed"] += 1
                c["problems"].append(o["why"])
            else:
                c["warnings"] += 1
                c["problems"].append(o["why"])
        return out
