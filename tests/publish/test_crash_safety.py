"""SIGKILL at any point of build, validate or publish: ``current`` stays valid, a rerun converges.

validate and publish kill themselves at named points through the ``MARMOT_CRASH_AT`` test seam
(marmot/crash.py); the dbt build is killed from outside after a delay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import eyfsp_row, land_eyfsp
from fixtures.marts import MART_SUITE, table_hashes, value_rows, write_build

from marmot.orchestration import pipeline
from marmot.publish.snapshot import candidate_db, versions
from marmot.validate.gates import validate

VALIDATE = textwrap.dedent("""
    import sys
    from marmot.settings import paths
    from marmot.validate.gates import validate
    sys.path.insert(0, sys.argv[1])
    from fixtures.marts import MART_SUITE
    validate(paths(), suites=[MART_SUITE])
""")
TESTS_DIR = os.path.dirname(os.path.dirname(__file__))


def _run(args, crash_at=None, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MARMOT_CRASH_AT"}
    if crash_at:
        env["MARMOT_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, **kw)


def _current(home) -> dict[str, str]:
    return table_hashes(home.current / "marmot.duckdb")


def _first_version(home) -> dict[str, str]:
    assert validate(home, suites=[MART_SUITE]).passed
    pipeline.publish(home)
    return _current(home)


def _no_leftovers(home) -> None:
    assert [p.name for p in home.published.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("point", ["publish:copied", "publish:renamed", "publish:switched"])
def test_publish_killed_at_any_point_leaves_current_valid_and_a_rerun_converges(built, point):
    old = _first_version(built)
    write_build(built, value_rows(n_areas=18))
    run = validate(built, suites=[MART_SUITE]).run_id
    audited = table_hashes(candidate_db(built, run))
    killed = _run(["-m", "marmot.cli", "publish"], crash_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _current(built) == (audited if point == "publish:switched" else old)
    rerun = _run(["-m", "marmot.cli", "publish"])
    assert rerun.returncode == 0, rerun.stderr
    assert _current(built) == audited
    assert len(versions(built)) == 2  # the rerun reused a version the crash had completed
    _no_leftovers(built)


@pytest.mark.parametrize("point", ["validate:staged", "validate:checked"])
def test_validate_killed_leaves_current_and_a_rerun_converges(built, point):
    old = _first_version(built)
    write_build(built, value_rows(n_areas=18))
    killed = _run(["-c", VALIDATE, TESTS_DIR], crash_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _current(built) == old
    # the latest complete validation is the one already published: publishing again changes nothing
    assert _run(["-m", "marmot.cli", "publish"]).returncode == 0 and _current(built) == old
    assert _run(["-c", VALIDATE, TESTS_DIR]).returncode == 0
    assert _run(["-m", "marmot.cli", "publish"]).returncode == 0
    assert _current(built) == table_hashes(built.build_db, schema="marts")
    _no_leftovers(built)


def _land_year(home, year: str, n: int = 120) -> None:
    """Land one academic year of EYFSP rows (the early-years contract's format)."""
    land_eyfsp(home, f"eyfsp_{year.replace('/', '-')}.csv",
               [eyfsp_row(i, year=year, gld="Y" if i % 3 else "N") for i in range(n)])


def _pipeline(home) -> None:
    """ingest, build, validate (with the test suite), publish: each stage as its own process."""
    for args in (["-m", "marmot.cli", "ingest"], ["-m", "marmot.cli", "build"], ["-c", VALIDATE, TESTS_DIR],
                 ["-m", "marmot.cli", "publish"]):
        done = _run(args)
        assert done.returncode == 0, (args, done.stderr[-3000:])


def test_build_killed_midway_leaves_current_and_a_rerun_converges(home, monkeypatch):
    # only early-years data is landed here: a missing principle is reported, not blocking
    monkeypatch.setenv("MARMOT_PRINCIPLES_SEVERITY", "warning")
    _land_year(home, "2023/24")
    _pipeline(home)
    old = _current(home)
    _land_year(home, "2024/25")
    assert _run(["-m", "marmot.cli", "ingest"]).returncode == 0
    build = subprocess.Popen([sys.executable, "-m", "marmot.cli", "build"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    time.sleep(6)  # dbt is running its models by now (a whole build takes 15 s or more here)
    assert build.poll() is None, "the build finished before it could be killed"
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert _current(home) == old
    _pipeline(home)
    after_crash = _current(home)
    assert after_crash != old
    # an uninterrupted build of the same inputs publishes exactly the same content
    _pipeline(home)
    assert len(versions(home)) == 3 and _current(home) == after_crash
