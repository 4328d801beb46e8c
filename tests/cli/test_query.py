"""``marmot query`` reads the publication and nothing else (each attack that worked on a plain read-only
connection: writing files, attaching the warehouse, reading the pseudonym key, several statements)."""

from __future__ import annotations

import duckdb
import pytest

from marmot.cli import main
from marmot.settings import Paths


@pytest.fixture
def published(home: Paths) -> Paths:
    """A current publication with one table, a warehouse with an unsuppressed numerator and a key file."""
    version = home.published / "20260101T000000000000Z"
    version.mkdir(parents=True)
    with duckdb.connect(str(version / "marmot.duckdb")) as con:
        con.execute("CREATE TABLE mart_indicator_values AS SELECT 'p1' AS indicator_id, 12.5 AS value")
    home.current.symlink_to(version.name)
    home.build_db.parent.mkdir(parents=True)
    with duckdb.connect(str(home.build_db)) as con:
        con.execute("CREATE TABLE unsuppressed AS SELECT 3 AS numerator")
    key = home.home / "secrets" / "pseudonym.key"
    key.parent.mkdir()
    key.write_text("the-secret-pseudonym-key")
    return home


def refused(capsys, sql: str) -> str:
    assert main(["query", sql]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    return out.err


def test_select_reads_the_publication(published, capsys):
    assert main(["query", "select indicator_id, value from mart_indicator_values", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["indicator_id,value", "p1,12.5"]


@pytest.mark.parametrize("target", ["current/leak.csv", "../leak.csv"])
def test_copy_to_writes_no_file(published, capsys, target):
    path = published.published / target
    err = refused(capsys, f"COPY mart_indicator_values TO '{path}'")
    assert "only reads of the publication" in err
    assert not path.exists()


def test_attach_of_the_warehouse_is_refused(published, capsys):
    err = refused(capsys, f"ATTACH '{published.build_db}' AS w (READ_WRITE)")
    assert "ATTACH statement" in err
    err = refused(capsys, f"SELECT * FROM '{published.build_db}'")
    assert "no other file" in err


def test_read_text_of_the_key_is_refused(published, capsys):
    err = refused(capsys, f"SELECT content FROM read_text('{published.home / 'secrets' / 'pseudonym.key'}')")
    assert "no other file" in err and "the-secret-pseudonym-key" not in err


def test_one_statement_only(published, capsys):
    err = refused(capsys, "SELECT 1; SELECT 2")
    assert "one SQL statement at a time, this has 2" in err


def test_configuration_cannot_be_unlocked(published, capsys):
    refused(capsys, "SET enable_external_access = true")
    err = refused(capsys, "SELECT * FROM (SELECT 1); SET enable_external_access = true")
    assert "one SQL statement" in err
