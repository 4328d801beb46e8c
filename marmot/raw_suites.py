"""Suites for the raw partner datasets: generated from the contracts, run on the current batches.

``python -m marmot.raw_suites`` (re)writes ``expectations/raw/<partner>__<dataset>.yml`` from
``ingestion/contracts/``; tests/wap/test_raw_gates.py fails when a suite is out of date.
The current batches of a dataset are the ones dbt builds from (macro ``current_batch_rows``):
batches the ledger holds as loaded and, per period, only the latest of them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from marmot import ledger
from marmot.contracts import Contract, load_contracts
from marmot.settings import EXPECTATIONS_DIR, Paths

RAW_DIR = EXPECTATIONS_DIR / "raw"
HEADER = ("# Generated from ingestion/contracts/{id}.yml by `python -m marmot.raw_suites`.\n"
          "# Do not edit: change the contract, then regenerate.\n")


def suite_for(contract: Contract) -> dict:
    """Keys unique, required columns not null, reference codes (LSOAs) valid, numbers in range."""
    key = [contract.column(k).output_name for k in contract.key]
    expectations = [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": key[0]}} if len(key) == 1 else
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": key}},
    ]
    expectations[0].update(severity="critical", why=f"one row per {contract.grain.removeprefix('one row per ')} "
                                                     "within the current batches (contract key)")
    for col in contract.stored_columns():
        name = col.output_name
        if col.required:
            expectations.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": name},
                                 "severity": "critical", "why": f"the contract requires {col.name}"})
        if col.reference:
            expectations.append({"type": "expect_column_values_to_be_in_set",
                                 "kwargs": {"column": name, "value_set": {"reference": col.reference}},
                                 "severity": "critical", "why": f"{col.name} must be a code in {col.reference}"})
        if col.type in ("integer", "number") and not col.personal and (col.minimum, col.maximum) != (None, None):
            bounds = {k: v for k, v in (("min_value", col.minimum), ("max_value", col.maximum)) if v is not None}
            expectations.append({"type": "expect_column_values_to_be_between", "kwargs": {"column": name, **bounds},
                                 "severity": "critical",
                                 "why": f"{col.name} must stay within the contract's range (no negative counts)"})
    return {"suite": f"raw__{contract.id}", "dataset": contract.id, "expectations": expectations}


def write_suites(directory: Path = RAW_DIR, contracts: dict[str, Contract] | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in (contracts or load_contracts()).values():
        path = directory / f"{contract.id}.yml"
        path.write_text(HEADER.format(id=contract.id) + yaml.safe_dump(suite_for(contract), sort_keys=False,
                                                                        width=120), encoding="utf-8")
        written.append(path)
    return written


def current_frame(paths: Paths, contract: Contract, entries: list[ledger.Entry]):
    """The current rows of a dataset as a DataFrame (None when no batch is loaded)."""
    files = [str(p) for e in entries
             if e.partner == contract.partner and e.dataset == contract.dataset and e.status in ledger.LOADED
             and (p := paths.raw / e.partner / e.dataset / f"{e.batch_id}.parquet").exists()]
    if not files:
        return None
    period = contract.column(contract.period_column).output_name
    con = duckdb.connect()
    try:
        return con.execute(
            f'SELECT * FROM read_parquet(?, union_by_name=true) '
            f'QUALIFY _batch_id = max(_batch_id) OVER (PARTITION BY "{period}")', [files]).df()
    finally:
        con.close()


if __name__ == "__main__":
    for p in write_suites():
        print(p)
