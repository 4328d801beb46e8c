"""A small build with the published marts, published through the real ``marmot.publish.snapshot``.

Three principle groups, two indicators each, five periods, city + IMD quintiles + four wards;
one ward suppressed in the latest period; a ward name a spreadsheet would run as a formula.
``bigger=True`` adds the bigger-picture marts in the shape of dbt_project/models/marts/_marts__models.yml
(England comparison, trend and gap; principle summary; partner activities and case studies; coverage;
breakdowns; school readiness's inequalities and group comparisons), the metadata mart the site asks for and
``mart_area_boundaries`` from ``tests/fixtures/geography/synthetic_ward_boundaries.geojson`` (synthetic squares for
six ward codes, three of them the fixture's wards; without ``bigger`` the site draws a tile map instead).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from fixtures.marts import describe

from marmot.build.models.benchmarking import TREND_CODES
from marmot.build.models.disclosure import SUPPRESSION_REASON
from marmot.publish import snapshot
from marmot.settings import Paths
from marmot.templating import render
from marmot.validate import candidate
from marmot.validate.report import Outcome, Report

PERIODS = ["2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]
PRINCIPLES = {"H0_headline": "Headline outcomes: life expectancy and healthy life expectancy",
              "P1_best_start": "Give every child the best start in life",
              "P4_living_standard": "Ensure a healthy standard of living for all"}
INDICATORS = [  # id, principle, name, polarity, base %, England, comparison, trend label
    ("h0_healthy_weight", "H0_headline", "Adults with a healthy weight", "HiG", 40.0, 44.0, "Worse",
     "Decreasing and getting worse"),
    ("h0_good_health", "H0_headline", "Adults in good health", "HiG", 70.0, 70.5, "Similar", "No significant change"),
    ("p1_school_readiness", "P1_best_start", "School readiness: good level of development", "HiG", 63.0, 60.0,
     "Better", "Increasing and getting better"),
    ("p1_low_birth_weight", "P1_best_start", "Low birth weight of term babies", "LiG", 3.5, 2.9, "Worse",
     "Increasing and getting worse"),
    ("p4_fsm", "P4_living_standard", "Free school meal eligibility", "BOB", 27.0, 24.0, "Higher", "Increasing"),
    ("p4_fuel_poverty", "P4_living_standard", "Fuel poverty (LILEE)", "LiG", 18.0, 13.0, "Worse", None),
]
# deprivation gap: (quintile_gap_change, sii_trend); the grid reads the SII's where it could be tested
GAPS = {"h0_healthy_weight": ("Widening", "Cannot be calculated"),
        "h0_good_health": ("No significant change", "Cannot be calculated"),
        "p1_school_readiness": ("No significant change", "Widening"),
        "p1_low_birth_weight": ("Narrowing", "Cannot be calculated"),
        "p4_fsm": ("Widening", "Cannot be calculated"),
        "p4_fuel_poverty": ("Cannot be calculated", "Cannot be calculated")}
REGION = {"h0_healthy_weight": "Similar", "p1_school_readiness": "Better", "p4_fsm": "Higher"}  # else Not compared
APPROXIMATE_ENGLAND = "p4_fuel_poverty"  # its England comparator is the seeded approximate value
WARDS = [("E05001218", "Foleshill"), ("E05001219", "Earlsdon"), ("E05001220", "Wainbody"),
         ("E05001221", "=HYPERLINK(\"http://x\")")]
SUPPRESSED_WARD = "E05001220"
BOUNDARIES = Path(__file__).resolve().parents[1] / "fixtures" / "geography" / "synthetic_ward_boundaries.geojson"


def _value_rows(first_period: int, shift_readiness: float) -> list[tuple]:
    rows = []
    for ind, principle, name, polarity, base, *_ in INDICATORS:
        for pi, period in enumerate(PERIODS[first_period:], start=first_period):
            areas = [("city", "E08000026", "Coventry", 20000, 0.0)]
            areas += [("imd_quintile", f"Q{q}", f"Q{q}", 4000, (3 - q) * 1.5) for q in range(1, 6)]
            areas += [("ward", code, ward, 1000, 2.0 * (i - 1.5)) for i, (code, ward) in enumerate(WARDS)]
            for level, code, area, den, shift in areas:
                value = base + shift + 0.4 * pi + (shift_readiness if ind == "p1_school_readiness" else 0.0)
                suppressed = code == SUPPRESSED_WARD and period == PERIODS[-1]
                num = round(den * value / 100)
                half = 1.96 * (value * (100 - value) / den) ** 0.5
                rows.append((ind, name, principle, PRINCIPLES[principle], period, level, code, area, "%",
                             None if suppressed else float(num), None if suppressed else float(den),
                             None if suppressed else value, None if suppressed else value - half,
                             None if suppressed else value + half, suppressed,
                             SUPPRESSION_REASON if suppressed else None, polarity, "wilson"))
    return rows


def write_build(build_db: Path, *, bigger: bool = True, first_period: int = 0, shift_readiness: float = 0.0) -> None:
    """The build database with a ``marts`` schema, as ``dbt build`` leaves it (``first_period``: how many
    of the first periods to leave out; ``shift_readiness``: added to every school readiness value)."""
    build_db.parent.mkdir(parents=True, exist_ok=True)
    build_db.unlink(missing_ok=True)
    con = duckdb.connect(str(build_db))
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.mart_indicator_values (indicator_id VARCHAR, indicator_name VARCHAR,
        principle_key VARCHAR, principle_label VARCHAR, period VARCHAR, geography_level VARCHAR, area_code VARCHAR,
        area_name VARCHAR, unit VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE, lower_95 DOUBLE,
        upper_95 DOUBLE, is_suppressed BOOLEAN, suppression_reason VARCHAR, polarity VARCHAR, method VARCHAR)""")
    con.executemany(f"INSERT INTO marts.mart_indicator_values VALUES ({', '.join(['?'] * 18)})",
                    _value_rows(first_period, shift_readiness))
    con.execute("""CREATE TABLE marts.mart_publication_sources AS SELECT * FROM (VALUES
        ('early_years', 'eyfsp', 'b1', 'ab' || repeat('0', 62),
         TIMESTAMPTZ '2026-09-01 10:00:00+00', 4200::BIGINT, true),
        ('housing', 'fuel_poverty', 'b2', 'cd' || repeat('0', 62),
         TIMESTAMPTZ '2026-06-01 10:00:00+00', 203::BIGINT, true))
        t(partner, dataset, batch_id, sha256, received_at, rows_loaded, is_synthetic)""")
    if bigger:
        _bigger_marts(con)
    describe(con)
    con.close()


def _bigger_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("ALTER TABLE marts.mart_indicator_values ADD COLUMN england_value DOUBLE")
    con.execute("ALTER TABLE marts.mart_indicator_values ADD COLUMN england_comparison VARCHAR")
    for i in INDICATORS:
        con.execute("UPDATE marts.mart_indicator_values SET england_value = ? WHERE indicator_id = ?", [i[5], i[0]])
    con.execute("""CREATE TABLE marts.mart_indicator_latest (indicator_id VARCHAR, latest_period VARCHAR,
        england_value DOUBLE, england_comparison VARCHAR, trend_label VARCHAR, trend_code VARCHAR,
        trend_reason VARCHAR, quintile_gap DOUBLE, quintile_gap_lower_95 DOUBLE, quintile_gap_upper_95 DOUBLE,
        quintile_gap_change VARCHAR, region_value DOUBLE, region_comparison VARCHAR, sii_trend VARCHAR)""")
    con.executemany("INSERT INTO marts.mart_indicator_latest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(i[0], PERIODS[-1], i[5], i[6], i[7], TREND_CODES.get(i[7]),
                      f"Fingertips trend test of {i[0]}" if i[7] else None,
                      -6.0, -7.5, -4.5, GAPS[i[0]][0], i[5] + 1, REGION.get(i[0], "Not compared"), GAPS[i[0]][1])
                     for i in INDICATORS])
    _comparators(con)
    con.execute("""CREATE TABLE marts.mart_principle_summary AS SELECT * FROM (VALUES
        ('H0_headline', 2, 0, 1, 1, 0, 0, 1, 1, 0, 2, 0), ('P1_best_start', 2, 1, 1, 0, 0, 1, 0, 1, 1, 2, 0),
        ('P4_living_standard', 2, 0, 0, 1, 1, 0, 0, 1, 0, 2, 0))
        t(principle_key, indicators, improving, worsening, no_significant_or_no_judgement, trend_not_calculated,
          better_than_england, similar_to_england, worse_than_england, compared_with_approximate_england,
          gaps_widening, gaps_narrowing)""")
    con.execute("""CREATE TABLE marts.mart_partner_activities AS SELECT * FROM (VALUES
        ('P1_best_start', 'Foleshill', '2026-Q2', 3, 420, 2, 1, 'A family finds support'),
        ('P1_best_start', 'Earlsdon', '2026-Q2', 1, 80, 0, 0, NULL),
        ('P1_best_start', 'Earlsdon', '2026-Q1', 1, 75, 0, 1, 'Stay and play at the hub'),
        ('P4_living_standard', 'Foleshill', '2026-Q2', 2, 300, 2, 0, NULL))
        t(principle_key, ward_name, quarter, programmes, people_reached, proportionate_universalism_programmes,
          case_studies, case_study_titles)""")
    con.execute("""CREATE TABLE marts.mart_case_studies AS SELECT * FROM (VALUES
        ('P1_best_start', 'Foleshill', '2026-Q2', 'Family Hubs', 'A family finds support',
         'A family was helped to find a nursery place and a health visitor.', 'The child started nursery on time.'),
        ('P1_best_start', 'Earlsdon', '2026-Q1', 'Family Hubs', 'Stay and play at the hub',
         'Weekly stay and play sessions for parents of under-fives.', 'Forty families came each week.'))
        t(principle_key, ward_name, quarter, partner_name, title, summary, outcome)""")
    con.execute("""CREATE TABLE marts.mart_data_coverage AS SELECT * FROM (VALUES
        ('early_years', 'eyfsp', 'annual', '2025/26', 5, 5, 0, NULL, TIMESTAMPTZ '2026-09-01 10:00:00+00'),
        ('housing', 'fuel_poverty', 'annual', '2024', 4, 5, 1, '2025', TIMESTAMPTZ '2026-06-01 10:00:00+00'))
        t(partner, dataset, frequency, latest_period_received, periods_received, periods_expected, periods_missing,
          missing_periods, latest_received_at)""")
    con.execute("""CREATE TABLE marts.mart_indicator_breakdowns AS SELECT * FROM (VALUES
        ('p1_school_readiness', '2025/26', 'sex', 'F', 70.1, 68.0, 72.2, false, 'Better'),
        ('p1_school_readiness', '2025/26', 'sex', 'M', NULL, NULL, NULL, true, NULL))
        t(indicator_id, period, breakdown, breakdown_value, value, lower_95, upper_95, is_suppressed,
          england_comparison)""")
    _inequality_marts(con)
    _boundaries_mart(con)
    con.execute("""CREATE TABLE marts.mart_indicator_metadata (indicator_id VARCHAR, principle_key VARCHAR,
        definition VARCHAR, numerator_definition VARCHAR, denominator_definition VARCHAR, method_name VARCHAR,
        method_description VARCHAR, method_reference VARCHAR, confidence_levels VARCHAR, polarity_name VARCHAR,
        polarity_description VARCHAR, breakdowns VARCHAR, frequency VARCHAR, source_partner_name VARCHAR,
        source_dataset_title VARCHAR, data_status_page VARCHAR, last_data_received_at TIMESTAMPTZ, caveats VARCHAR,
        how_to_read VARCHAR, gap_definition VARCHAR, suppression_rule VARCHAR)""")
    con.executemany("INSERT INTO marts.mart_indicator_metadata VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(i[0], i[1], f"Definition of {i[2]}", f"Numerator of {i[0]}", f"Denominator of {i[0]}",
                      "Proportion with Wilson score interval", "The numerator divided by the denominator.",
                      "Wilson EB (1927)", "95% and 99.8%", "High is good", "Higher values are better.",
                      "Coventry, wards, national IMD quintiles", "annual",
                      "Coventry City Council - Housing" if i[1] == "P4_living_standard" else "Early Years service",
                      f"Dataset of {i[0]}", f"partners.html#housing__{i[0]}", "2026-06-01 10:00:00+00",
                      "Recorded data." if i[0] == "p4_fsm" else None, f"How to read {i[0]}.",
                      f"Gap of {i[0]}: least minus most deprived.", "Counts from 1 to 4 are suppressed.")
                     for i in INDICATORS])


def _comparators(con: duckdb.DuckDBPyConnection) -> None:
    """England, the region and the peers' median of every indicator's latest period, each row with the spread of
    the English upper-tier authorities (England x 0.6, 0.85, 0.98, 1.1, 1.5); the peers' median is England - 1."""
    con.execute("""CREATE TABLE marts.mart_indicator_comparators (indicator_id VARCHAR, period VARCHAR,
        comparator_kind VARCHAR, area_code VARCHAR, area_name VARCHAR, value DOUBLE, lower_95 DOUBLE, upper_95 DOUBLE,
        peers_with_values INTEGER, source VARCHAR, is_approximate BOOLEAN, is_synthetic BOOLEAN,
        is_mapping_verified BOOLEAN, is_peer_list_verified BOOLEAN, authorities INTEGER, authorities_min DOUBLE,
        authorities_q1 DOUBLE, authorities_median DOUBLE, authorities_q3 DOUBLE, authorities_max DOUBLE)""")
    rows = []
    for ind, *_, england, _, _ in INDICATORS:
        approximate = ind == APPROXIMATE_ENGLAND
        spread = (151, *(round(england * f, 2) for f in (0.6, 0.85, 0.98, 1.1, 1.5)))
        rows += [(ind, PERIODS[-1], "england", "E92000001", "England (approximate)" if approximate else "England",
                  england, None, None, None, "approximate_seed" if approximate else "fingertips", approximate, True,
                  True, None, *spread),
                 (ind, PERIODS[-1], "region", "E12000005", "West Midlands", england + 1, england + 0.5, england + 1.5,
                  None, "fingertips", False, True, True, None, *spread),
                 (ind, PERIODS[-1], "peer_median", None, "CIPFA nearest neighbours (median)", england - 1, None,
                  None, 15, "fingertips", False, True, True, False, *spread)]  # the peer list is not confirmed
    con.executemany(f"INSERT INTO marts.mart_indicator_comparators VALUES ({', '.join(['?'] * 20)})", rows)


def _boundaries_mart(con: duckdb.DuckDBPyConnection) -> None:
    """mart_area_boundaries as dbt builds it from the loaded boundary file (dbt_project/models/marts)."""
    features = json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
    con.execute("""CREATE TABLE marts.mart_area_boundaries (area_level VARCHAR, area_code VARCHAR, area_name VARCHAR,
        boundary_year VARCHAR, geometry VARCHAR, source_file VARCHAR, is_synthetic BOOLEAN)""")
    con.executemany("INSERT INTO marts.mart_area_boundaries VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [("ward", f["properties"]["WD24CD"], f["properties"]["WD24NM"], "2024", json.dumps(f["geometry"]),
                      BOUNDARIES.name, True) for f in features])


SII_DEFINITION = "Slope index of inequality (SII): ... so a positive value means the least deprived do better"


def _inequality_marts(con: duckdb.DuckDBPyConnection) -> None:
    """School readiness: SII in every period but 2022/23 (a suppressed quintile), widening in the latest;
    its girls against boys (suppressed) and against Coventry."""
    con.execute("""CREATE TABLE marts.mart_indicator_inequalities (indicator_id VARCHAR, period VARCHAR,
        period_note VARCHAR, quintile_gap DOUBLE, quintile_gap_lower_95 DOUBLE, quintile_gap_upper_95 DOUBLE,
        quintile_gap_change VARCHAR, sii DOUBLE, sii_lower_95 DOUBLE, sii_upper_95 DOUBLE, rii DOUBLE,
        rii_lower_95 DOUBLE, rii_upper_95 DOUBLE, sii_reason VARCHAR, sii_change VARCHAR, sii_trend VARCHAR,
        sii_trend_reason VARCHAR, sii_definition VARCHAR)""")
    rows = []
    for k, period in enumerate(PERIODS):
        hidden = period == "2022/23"
        sii = None if hidden else 7.0 + k
        rows.append(("p1_school_readiness", period, None, -6.0, -7.5, -4.5, "No significant change", sii,
                     None if hidden else sii - 2, None if hidden else sii + 2, None if hidden else 1.12,
                     None if hidden else 1.05, None if hidden else 1.2,
                     "a quintile value is suppressed or missing (Q2)" if hidden else None, "No significant change",
                     "Widening" if period == PERIODS[-1] else "Cannot be calculated",
                     "weighted regression of the SII on year over 2021/22 to 2025/26" if period == PERIODS[-1]
                     else f"needs 5 comparable periods, has {k + 1}", SII_DEFINITION))
    con.executemany(f"INSERT INTO marts.mart_indicator_inequalities VALUES ({', '.join(['?'] * 18)})", rows)
    con.execute("""CREATE TABLE marts.mart_indicator_group_comparisons AS SELECT * FROM (VALUES
        ('p1_school_readiness', '2025/26', 'sex', 'F', 'coventry', 'Coventry (all persons)', NULL, 70.1, 65.0,
         1.0785, 1.04, 1.12, 5.1, 2.9, 7.3, 'Better', NULL),
        ('p1_school_readiness', '2025/26', 'sex', 'F', 'reference_group', 'Male', 'Males are the reference', 70.1,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Not compared', 'a value is suppressed or missing'),
        ('p1_school_readiness', '2025/26', 'ethnicity', 'Black', 'coventry', 'Coventry (all persons)', NULL, 58.0,
         65.0, 0.8923, 0.85, 0.94, -7.0, -9.1, -4.9, 'Worse', NULL))
        t(indicator_id, period, breakdown, breakdown_value, comparator_type, comparator, reference_note, value,
          comparator_value, ratio, ratio_lower_95, ratio_upper_95, difference, difference_lower_95,
          difference_upper_95, comparison, comparison_reason)""")


def publish_version(paths: Paths, data_docs: Path | None = None, **build) -> Path:
    write_build(paths.build_db, **build)
    return publish_built(paths, data_docs)


def publish_built(paths: Paths, data_docs: Path | None = None) -> Path:
    """Stage the build and publish it as the real pipeline does, after a (fake) passing validation (with the Data
    Docs site in ``data_docs``, when given)."""
    run_id = uuid.uuid4().hex
    candidate.stage(paths, run_id)
    folder = paths.home / "validation" / run_id
    folder.mkdir(parents=True)
    outcomes = [{"suite": "raw__early_years__eyfsp", "expectation": "expect_column_values_to_not_be_null",
                 "kwargs": {}, "severity": "critical", "why": "UPN present", "status": "passed"},
                {"suite": "raw__housing__fuel_poverty", "expectation": "expect_column_values_to_be_between",
                 "kwargs": {}, "severity": "warning", "why": "households within range", "status": "failed"}]
    counts = {"passed": 1, "failed": 1, "error": 0, "total": 2, "blocking": 0, "warnings": 1}
    (folder / "results.json").write_text(json.dumps({"run_id": run_id, "passed": True, "counts": counts,
                                                     "outcomes": outcomes}))
    (folder / "report.txt").write_text("2 expectations\n")
    (folder / "report.html").write_text(render("validation_report.html.j2", failed=[], report=Report(
        run_id, [Outcome(**{k: o[k] for k in ("suite", "expectation", "kwargs", "severity", "why", "status")})
                 for o in outcomes])))
    validation = {"run_id": run_id, "passed": True, "counts": counts, "results": str(folder / "results.json"),
                  "report": str(folder / "report.txt"), "data_docs": str(data_docs) if data_docs else None}
    return snapshot.publish(paths, validation=validation)


@contextmanager
def serving(home: Paths) -> Iterator[str]:
    """`marmot serve` of the current publication on a free loopback port: its host:port."""
    proc = subprocess.Popen([sys.executable, "-m", "marmot.cli", "--home", str(home.home), "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line
        yield line.split("http://", 1)[1].split("/", 1)[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
