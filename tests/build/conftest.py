"""tests/build/ works on one platform home built by real dbt once per session (``dbt_built``, tests/conftest.py)."""

from __future__ import annotations

import duckdb
import pytest

from marmot.settings import Paths


@pytest.fixture(scope="session")
def built(dbt_built) -> Paths:
    return dbt_built


@pytest.fixture(scope="session")
def warehouse(built):
    con = duckdb.connect(str(built.build_db), read_only=True)
    yield con
    con.close()
