"""Data coverage follows the contract schedules, and the schedule seed equals the contracts."""

from __future__ import annotations

import csv

import duckdb

from marmot.contracts import load_contracts
from marmot.settings import DBT_PROJECT_DIR


def test_schedule_seed_equals_the_contracts():
    with open(DBT_PROJECT_DIR / "seeds" / "catalogue" / "dataset_schedules.csv", newline="", encoding="utf-8") as f:
        seed = {(r["partner"], r["dataset"]): r for r in csv.DictReader(f)}
    contracts = load_contracts()
    assert set(seed) == {(c.partner, c.dataset) for c in contracts.values()}
    for c in contracts.values():
        row = seed[(c.partner, c.dataset)]
        assert (row["frequency"], row["period_type"], row["due"]) == (
            c.schedule.frequency, c.schedule.period_type, c.schedule.due)


def test_coverage_counts_received_and_missing_periods(built, warehouse):
    rows = {(p, d): (received, expected, missing, latest) for p, d, received, expected, missing, latest in
            warehouse.sql("select partner, dataset, periods_received, periods_expected, periods_missing, "
                          "latest_period_received from marts.mart_data_coverage").fetchall()}
    assert len(rows) == 28
    con = duckdb.connect()
    for partner, dataset, column in [("early_years", "eyfsp", "academic_year"), ("ons", "deaths", "month")]:
        periods = {p for (p,) in con.sql(f"select distinct {column} from read_parquet("
                                         f"'{built.raw / partner / dataset}/*.parquet')").fetchall()}
        received, expected, missing, latest = rows[(partner, dataset)]
        assert (received, latest) == (len(periods), max(periods))
        assert expected >= received and missing == expected - received  # no gaps inside the synthetic series
