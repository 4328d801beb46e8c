"""Shared fixtures: every test gets its own platform home (``$MARMOT_HOME``)."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from fixtures.marts import write_build

from marmot.settings import Paths

# Airflow reads its configuration when first imported: give the test session its own home.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="marmot-test-airflow-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# the stage servers that tests start (through Airflow's tasks) exit a minute after their last stage, not 30
os.environ.setdefault("MARMOT_STAGE_SERVER_IDLE_SECONDS", "60")

TEST_KEY = "test-pseudonym-key-0123456789abcdef"

# What each slow module starts, as markers (`make test-fast` runs only the unmarked unit tests; test_scheduler.py
# and test_celery.py mark themselves `scheduler`). One table, so a new slow module is classified in one place.
SLOW_MODULES = {
    "dbt": ("build/", "orchestration/test_pipeline.py", "publish/test_crash_safety.py",
            "dev/test_bench_dbt_in_airflow.py", "portal/test_round_trip_published.py"),
    "browser": ("publish/test_browser.py", "portal/test_browser.py"),
    "integration": ("publish/test_readers_during_publish.py", "publish/test_publish.py", "publish/test_site.py",
                    "validate/test_raw_gates.py", "validate/test_platform_gates.py", "validate/test_dag_gate.py",
                    "land/test_landing_watch.py", "monitor/test_partner_status.py", "validate/test_data_docs.py",
                    "orchestration/test_stage_server.py"),
}
TESTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        where = item.path.relative_to(TESTS_DIR).as_posix()
        for marker, modules in SLOW_MODULES.items():
            if where.startswith(modules):
                item.add_marker(marker)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Paths:
    monkeypatch.setenv("MARMOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MARMOT_PSEUDONYM_KEY", TEST_KEY)
    return Paths((tmp_path / "home").resolve())


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> Path:
    """A small synthetic drop (2 years of EYFSP), generated once per session; copy before landing."""
    from devtools.synthetic import generate

    out = tmp_path_factory.mktemp("synthetic")
    generate(out, years=2, seed=7, datasets=["early_years/eyfsp"])
    return out


EYFSP_HEADER = ["UPN", "DOB", "Gender", "LSOA", "FSM", "Ethnicity", "GLD", "Academic Year"]


def eyfsp_row(i: int, *, lsoa="E01009522", gld="Y", year="2024/25", **overrides) -> list[str]:
    row = {"UPN": f"A{i:012d}", "DOB": "15/03/2019", "Gender": "F", "LSOA": lsoa, "FSM": "N",
           "Ethnicity": "White", "GLD": gld, "Academic Year": year}
    row.update(overrides)
    return [row[h] for h in EYFSP_HEADER]


def write_csv(path: Path, header: list[str], rows: list[list[str]], **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=kwargs.pop("encoding", "utf-8")) as f:
        w = csv.writer(f, **kwargs)
        w.writerow(header)
        w.writerows(rows)
    return path


def land_eyfsp(home: Paths, name: str, rows: list[list[str]], header=EYFSP_HEADER, **kwargs) -> Path:
    return write_csv(home.landing / "early_years" / "eyfsp" / name, header, rows, **kwargs)


@pytest.fixture
def built(home) -> Paths:
    """A home whose build warehouse holds valid marts written directly, no dbt (tests/fixtures/marts.py).
    tests/build/ overrides this with ``dbt_built``."""
    write_build(home)
    return home


@pytest.fixture(scope="session")
def dbt_built(tmp_path_factory) -> Paths:
    """Five years of every dataset (a tenth of city scale) landed, ingested and built by real dbt (with its tests),
    once per session: tests that change it work on a copy (``copy_home``)."""
    from devtools.synthetic import generate
    from marmot.land.drop import copy_into_landing
    from marmot.orchestration import pipeline

    root = tmp_path_factory.mktemp("marts")
    generate(root / "drop", years=5, scale=0.1, seed=5)
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


def copy_home(source: Paths, tmp_path: Path) -> Paths:
    """A copy of a home (without dbt's own files) to change without touching the session's."""
    home = Paths((tmp_path / "home").resolve())
    shutil.copytree(source.home, home.home, ignore=shutil.ignore_patterns("dbt"))
    return home
