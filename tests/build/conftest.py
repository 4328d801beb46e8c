"""One platform home, built once per session from synthetic extracts of every contract."""

from __future__ import annotations

import os

import duckdb
import pytest
from conftest import TEST_KEY

from devtools.synthetic import generate
from marmot.land.drop import copy_into_landing
from marmot.orchestration import pipeline
from marmot.settings import Paths

YEARS = 5


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Paths:
    """Five years of every dataset (a tenth of city scale) landed, ingested and built (dbt build with its tests)."""
    root = tmp_path_factory.mktemp("marts")
    generate(root / "drop", years=YEARS, scale=0.1, seed=5)
    home = Paths((root / "home").resolve())
    saved = {k: os.environ.get(k) for k in ("MARMOT_HOME", "MARMOT_PSEUDONYM_KEY")}
    os.environ.update(MARMOT_HOME=str(home.home), MARMOT_PSEUDONYM_KEY=TEST_KEY)
    try:
        copy_into_landing(root / "drop", home.landing)
        ingested = pipeline.ingest(home)
        assert ingested["rows_rejected"] == 0 and set(ingested["by_status"]) <= {"accepted", "superseded"}, ingested
        pipeline.build(home)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return home


@pytest.fixture(scope="session")
def warehouse(built):
    con = duckdb.connect(str(built.build_db), read_only=True)
    yield con
    con.close()
