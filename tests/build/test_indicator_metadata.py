"""Every published figure has its definition: the metadata mart, and the data dictionary read from the marts'
DuckDB comments (dbt descriptions persisted), with the gate that fails on an undescribed column."""

from __future__ import annotations

import csv

import duckdb

from marmot.publish import snapshot
from marmot.validate import candidate, dictionary, platform_gates


def _metadata(warehouse) -> dict[str, dict]:
    cur = warehouse.execute("SELECT * FROM marts.mart_indicator_metadata")
    names = [d[0] for d in cur.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_every_published_indicator_has_its_metadata_in_words(warehouse):
    metadata = _metadata(warehouse)
    published = {r[0] for r in warehouse.execute(
        "SELECT DISTINCT indicator_id FROM marts.mart_indicator_values").fetchall()}
    assert published <= set(metadata)
    for m in metadata.values():
        for field in ("definition", "numerator_definition", "denominator_definition", "method_description",
                      "method_reference", "source_partner_name", "source_dataset_title", "frequency", "how_to_read",
                      "suppression_rule"):
            assert m[field] and m[field].strip(), (m["indicator_id"], field)
        assert m["method_description"] != m["method"] and "_" not in m["source_partner_name"]


def test_the_gap_says_its_sign_by_polarity(warehouse):
    metadata = _metadata(warehouse)
    school = metadata["p1_school_readiness"]  # high is good: least deprived higher = the most deprived do worse
    assert "least deprived national IMD quintile (Q5) minus" in school["gap_definition"]
    assert "which for this indicator is better" in school["gap_definition"]
    obesity = metadata["p6_obesity_year6"]  # low is good
    assert "which for this indicator is worse" in obesity["gap_definition"]
    with_quintiles = {r[0] for r in warehouse.execute("SELECT DISTINCT indicator_id FROM marts.mart_indicator_values "
                                                      "WHERE geography_level = 'imd_quintile'").fetchall()}
    assert {i for i, m in metadata.items() if m["gap_definition"]} == with_quintiles  # no quintiles, no gap


def test_part_periods_and_approximate_or_synthetic_comparators_are_caveats(warehouse):
    metadata = _metadata(warehouse)
    parts = {i for i, m in metadata.items() if m["part_periods"]}
    for i in parts:
        assert "Part periods" in metadata[i]["caveats"], i
        assert metadata[i]["latest_complete_period"] < metadata[i]["latest_period"], i
    for m in metadata.values():
        assert ("approximate" in (m["caveats"] or "")) == m["england_is_approximate"], m["indicator_id"]
        assert ("synthetic" in (m["caveats"] or "")) == m["comparators_are_synthetic"], m["indicator_id"]


def test_the_published_copy_describes_every_table_and_column(built, tmp_path):
    counts = candidate.stage(built, "metadata-test")
    try:
        con = duckdb.connect(str(candidate.candidate_db(built, "metadata-test")))
        try:
            assert dictionary.undescribed(con) == {}
            entries = dictionary.entries(con)
            assert {e["table_name"] for e in entries} == set(counts)
            value = next(e for e in entries
                         if (e["table_name"], e["column_name"]) == ("mart_indicator_values", "value"))
            assert value["description"].startswith("Indicator value in its unit")
            snapshot.write_query_csv(con.execute(dictionary.QUERY), tmp_path / "dictionary.csv")
            with open(tmp_path / "dictionary.csv", newline="", encoding="utf-8") as f:
                assert list(csv.DictReader(f)) == [{k: v or "" for k, v in e.items()} for e in entries]
            outcomes = platform_gates.columns_described(dictionary.undescribed(con), set(counts))
            assert {o.status for o in outcomes} == {"passed"}
            # the gate fails on a column nobody described
            con.execute("ALTER TABLE mart_indicator_values ADD COLUMN undocumented INTEGER")
            failed = [o for o in platform_gates.columns_described(dictionary.undescribed(con), set(counts))
                      if o.status == "failed"]
            assert [(o.kwargs["table"], o.severity, o.observed) for o in failed] == [
                ("mart_indicator_values", "critical", 1)]
            assert "undocumented without a description" in failed[0].why
        finally:
            con.close()
    finally:
        candidate.discard(built, "metadata-test")
