"""What holds direct identifiers or partners' free text is the platform's user's only (archive, ledger,
rejects, the pseudonym key), and archived originals are deleted when their contract's retention ends."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta

import duckdb
from conftest import eyfsp_row, land_eyfsp

from marmot.cli import main
from marmot.contracts import load_contracts
from marmot.contracts.model import Retention
from marmot.ingest import ledger
from marmot.ingest.ingestor import REJECT_VALUE_CHARS, Ingestor
from marmot.ingest.retention import PURGES, purge_archive
from marmot.settings import PSEUDONYM_KEY_ENV, ensure_local_pseudonym_key


def _mode(path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_archive_ledger_rejects_and_key_are_readable_by_the_platform_only(home, monkeypatch):
    land_eyfsp(home, "eyfsp.csv", [eyfsp_row(1), eyfsp_row(2, Gender="X")])
    [entry] = Ingestor(home).run()
    assert entry.rows_rejected == 1
    archived = home.home / entry.archive_path
    rejects = home.rejects / "early_years" / "eyfsp" / f"{entry.batch_id}.parquet"
    record = ledger.entry_path(home.ledger, entry)
    for root, path, mode in ((home.archive, archived, 0o400), (home.rejects, rejects, 0o600),
                             (home.ledger, record, 0o600)):
        assert _mode(path) == mode, path
        folder = path.parent
        while folder != root.parent:
            assert _mode(folder) == 0o700, folder
            folder = folder.parent
    monkeypatch.delenv(PSEUDONYM_KEY_ENV)
    ensure_local_pseudonym_key(home)
    key = home.home / "secrets" / "pseudonym.key"
    assert (_mode(key), _mode(key.parent)) == (0o600, 0o700)


def test_archived_files_are_deleted_when_their_retention_ends_and_the_ledger_keeps_the_hash(home, capsys):
    land_eyfsp(home, "eyfsp.csv", [eyfsp_row(1)])
    [entry] = Ingestor(home).run()
    archived = home.home / entry.archive_path
    received = date.fromisoformat(entry.received_at[:10])
    contracts = load_contracts()
    assert contracts["early_years__eyfsp"].retention.archive_days == Retention().archive_days == 365
    assert purge_archive(home, contracts, received + timedelta(days=364)) == []
    assert archived.exists()
    short = {**contracts, "early_years__eyfsp": contracts["early_years__eyfsp"].model_copy(
        update={"retention": Retention(archive_days=30)})}
    assert purge_archive(home, short, received + timedelta(days=29)) == []
    [purged] = purge_archive(home, short, received + timedelta(days=30))
    assert not archived.exists()
    assert (purged["batch_id"], purged["sha256"], purged["archive_days"]) == (entry.batch_id, entry.sha256, 30)
    [record] = (home.ledger / PURGES).glob("*.json")
    assert json.loads(record.read_text()) == [purged] and _mode(record) == 0o600
    [kept] = ledger.read_all(home.ledger)
    assert kept.sha256 == entry.sha256 and kept.status == "accepted"
    assert purge_archive(home, short, received + timedelta(days=400)) == []  # once
    assert main(["archive", "purge"]) == 0
    assert "0 archived file(s) past their retention deleted" in capsys.readouterr().out


def test_rejects_keep_only_the_start_of_a_bad_value(home):
    """A note typed into a coded column (names, numbers, circumstances) is not kept: row, column, code and the
    value's first characters are enough for the partner to find the row and see what is wrong."""
    note = "maybe - mother says child was unwell, see social worker Jane Doe 07700 900123"
    land_eyfsp(home, "eyfsp.csv", [eyfsp_row(1), eyfsp_row(2, gld=note)])
    [entry] = Ingestor(home).run()
    rejects = home.rejects / "early_years" / "eyfsp" / f"{entry.batch_id}.parquet"
    [(row, column, value, code)] = duckdb.sql(
        f"select row_number, column_name, value, code from read_parquet('{rejects}')").fetchall()
    assert (row, column, code) == (3, "gld", "not_a_boolean")
    assert value == note[:REJECT_VALUE_CHARS] and len(value) <= 20 and "Jane Doe" not in value
    assert "Jane Doe" not in json.dumps([entry.reasons])
