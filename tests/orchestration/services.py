"""Fresh Postgres databases and Redis db numbers for one test run (the machine's own services).

On CI (CI=true) a missing service FAILS the test; on a laptop without them the test skips and
says how to run it.
"""

from __future__ import annotations

import os
import secrets

import pytest

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG = dict(host="127.0.0.1", port=5432, user="postgres", dbname="test")
REDIS = dict(host="127.0.0.1", port=6379)
HOW = ("needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and Redis on 127.0.0.1:6379; "
       "start them as ../shared/docs/STACK.md says and run with CI=true to make their absence a failure")


def require_services() -> None:
    problems = []
    try:
        import psycopg2

        psycopg2.connect(connect_timeout=3, **PG).close()
    except Exception as exc:
        problems.append(f"Postgres: {exc}")
    try:
        import redis

        redis.Redis(socket_connect_timeout=3, **REDIS).ping()
    except Exception as exc:
        problems.append(f"Redis: {exc}")
    if problems:
        pytest.skip(f"{'; '.join(problems)} -- {HOW}") if not CI else pytest.fail(f"CI=true but {problems}")


@pytest.fixture
def postgres_database():
    """A fresh database ``marmot_airflow_<random>``, dropped afterwards; yields its SQLAlchemy URL."""
    import psycopg2

    require_services()
    name = f"marmot_airflow_{secrets.token_hex(4)}"
    con = psycopg2.connect(**PG)
    con.autocommit = True
    con.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        con.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.close()


@pytest.fixture
def redis_broker():
    """An empty Redis db number (8-15, not the default 0) for this run's Celery queue, flushed afterwards."""
    import redis

    require_services()
    for db in range(8, 16):
        r = redis.Redis(db=db, **REDIS)
        if r.dbsize() == 0 and r.set("marmot:test:claim", "1", nx=True):
            break
    else:
        pytest.fail("no empty Redis db number between 8 and 15")
    try:
        yield f"redis://{REDIS['host']}:{REDIS['port']}/{db}"
    finally:
        r.flushdb()
        r.close()
