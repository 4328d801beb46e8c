"""Suites for the raw partner datasets: generated from the contracts, run on the current batches.

``python -m marmot.validate.raw_suites`` (re)writes ``expectations/raw/<partner>__<dataset>.yml`` from
``ingestion/contracts/``; tests/wap/test_raw_gates.py fails when a suite is out of date.
The current batches of a dataset are the ones dbt builds from (macro ``current_batch_rows``):
batches the ledger holds as loaded and, per period, only the latest of them. Every contract's
key holds its period, so a key can only repeat within one batch's rows of one period: a group
of batches can be checked on its own.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from marmot.atomic import replacing
from marmot.contracts import Contract, load_contracts
from marmot.ingest import ledger
from marmot.settings import Paths, expectations_dir

HEADER = ("# Generated from ingestion/contracts/{id}.yml by `python -m marmot.validate.raw_suites`.\n"
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


def raw_suites_dir() -> Path:
    return expectations_dir() / "raw"


def write_suites(directory: Path | None = None, contracts: dict[str, Contract] | None = None) -> list[Path]:
    directory = directory or raw_suites_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in (contracts or load_contracts()).values():
        path = directory / f"{contract.id}.yml"
        path.write_text(HEADER.format(id=contract.id) + yaml.safe_dump(suite_for(contract), sort_keys=False,
                                                                        width=120), encoding="utf-8")
        written.append(path)
    return written


class CurrentRows:
    """The current rows of one dataset, read a few batches at a time.

    Which rows are current is worked out from two columns (period and batch) of every batch, so
    memory follows the batches read, not the dataset's history. Every batch is read together
    with the dataset's ``_schema.parquet``, so a column no batch of a group carries is still there.
    A batch never changes once loaded, so its (period, rows) pairs are kept in ``pairs_file`` (given by the
    gates: ``validation/batch_periods__<dataset>.parquet``) and only batches not seen before are read for them:
    reading every batch's two columns cost a one-file validation 1 s across the datasets. ``con``: a connection
    to work in (one for every dataset of a validation: a connection each cost 0.35 s), else its own.
    """

    def __init__(self, paths: Paths, contract: Contract, entries: list[ledger.Entry], pairs_file: Path | None = None,
                 con: duckdb.DuckDBPyConnection | None = None):
        folder = paths.raw / contract.partner / contract.dataset
        self.files = {e.batch_id: str(p) for e in entries
                      if e.partner == contract.partner and e.dataset == contract.dataset
                      and e.status in ledger.LOADED and (p := folder / f"{e.batch_id}.parquet").exists()}
        self.schema = [str(folder / "_schema.parquet")] if (folder / "_schema.parquet").exists() else []
        self.period = contract.column(contract.period_column).output_name
        self.own = con is None
        self.con = duckdb.connect() if con is None else con
        self.rows: dict[str, int] = {}  # batch id -> its current rows, for batches holding any
        if self.files:
            self._pairs(pairs_file)
            self.con.execute("CREATE TEMP TABLE current_pairs AS SELECT * FROM pairs "
                             "QUALIFY _batch_id = max(_batch_id) OVER (PARTITION BY period)")
            self.rows = dict(self.con.execute(
                "SELECT _batch_id, sum(n)::BIGINT FROM current_pairs GROUP BY 1 ORDER BY 1").fetchall())

    def _pairs(self, pairs_file: Path | None) -> None:
        """Temp table ``pairs`` (period, _batch_id, n) of every batch: the kept ones, and those not kept yet read."""
        select = (f'SELECT "{self.period}" AS period, _batch_id, count(*) AS n '
                  f"FROM read_parquet(?, union_by_name=true) GROUP BY ALL")
        read = list(self.files.values())
        if pairs_file is not None and pairs_file.exists():
            try:
                self.con.execute("CREATE TEMP TABLE pairs AS SELECT * FROM read_parquet(?) "
                                 "WHERE list_contains(?, _batch_id)", [str(pairs_file), list(self.files)])
                kept = {r[0] for r in self.con.execute("SELECT DISTINCT _batch_id FROM pairs").fetchall()}
                read = [f for b, f in self.files.items() if b not in kept]
                if read:
                    self.con.execute(f"INSERT INTO pairs {select}", [read])
                return self._keep(pairs_file, bool(read))
            except duckdb.Error:  # unreadable, or kept under an older contract (another period type): read all
                self.con.execute("DROP TABLE IF EXISTS pairs")
                read = list(self.files.values())
        self.con.execute(f"CREATE TEMP TABLE pairs AS {select}", [read])
        self._keep(pairs_file, True)

    def _keep(self, pairs_file: Path | None, changed: bool) -> None:
        if pairs_file is not None and changed:
            with replacing(pairs_file) as tmp:
                self.con.execute(f"COPY pairs TO '{tmp}' (FORMAT parquet)")

    @property
    def batches(self) -> list[str]:
        return list(self.rows)

    def groups(self, batch_ids: list[str], max_rows: int) -> list[list[str]]:
        """Consecutive batches in groups of at most ``max_rows`` current rows (a bigger batch alone)."""
        groups: list[list[str]] = []
        size = 0
        for b in batch_ids:
            if not groups or size + self.rows[b] > max_rows:
                groups.append([])
                size = 0
            groups[-1].append(b)
            size += self.rows[b]
        return groups

    def frame(self, batch_ids: list[str]):
        """The current rows of these batches as a DataFrame."""
        return self.con.execute(
            f'SELECT r.* FROM read_parquet(?, union_by_name=true) r SEMI JOIN current_pairs c '
            f'ON r."{self.period}" IS NOT DISTINCT FROM c.period AND r._batch_id = c._batch_id',
            [self.schema + [self.files[b] for b in batch_ids]]).df()

    def close(self) -> None:
        if self.own:
            self.con.close()
        else:
            self.con.execute("DROP TABLE IF EXISTS pairs; DROP TABLE IF EXISTS current_pairs")


if __name__ == "__main__":
    for p in write_suites():
        print(p)
