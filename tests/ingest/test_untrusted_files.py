"""Landed entries a partner controls cannot read outside the platform nor block their dataset:
links, fifos and folders are quarantined unread; a very long name and a file that crashed the
reader end in a quarantine with a reason, and the other files of the dataset still load."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.data import claimant, crime, csv_bytes, land
from marmot.ingest.ingestor import Ingestor
from marmot.ingest.ledger import read_all
from marmot.settings import ensure_local_pseudonym_key

DWP = ("dwp", "claimant_count")
GOOD = csv_bytes([claimant(i) for i in range(3)])


def _ingest(home) -> dict[str, object]:
    return {e.original_name: e for e in Ingestor(home).run()}


def _everything_under(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink())


@pytest.mark.parametrize("target", ["/etc/passwd", "pseudonym key", "another partner's archive"])
def test_a_link_in_a_drop_folder_is_quarantined_unread_and_nothing_behind_it_is_copied(home, monkeypatch, target):
    if target == "pseudonym key":
        monkeypatch.delenv("MARMOT_PSEUDONYM_KEY")
        ensure_local_pseudonym_key(home)
        target = home.home / "secrets" / "pseudonym.key"
    elif target == "another partner's archive":
        land(home.landing, "police", "recorded_crime", "theirs.csv", b"month,secret\n2025-04,police only\n")
        _ingest(home)
        [target] = (home.archive / "police").rglob("*theirs.csv")
    secret = Path(target).read_bytes()
    folder = home.landing / "dwp" / "claimant_count"
    land(home.landing, *DWP, "good.csv", GOOD)
    os.symlink(target, folder / "extract.csv")
    got = _ingest(home)
    link = got["extract.csv"]
    assert (link.status, [r["code"] for r in link.reasons]) == ("quarantined", ["not_a_file"])
    assert "extract.csv is a symbolic link" in link.reasons[0]["message"] and link.archive_path == ""
    assert got["good.csv"].status == "accepted"
    assert secret.strip() not in _everything_under(home.archive / "dwp") + _everything_under(home.receipts / "dwp")
    assert not os.path.lexists(folder / "extract.csv") and Path(target).read_bytes() == secret
    receipts = home.receipts / "dwp" / "claimant_count"
    assert "kept no copy" in (receipts / f"{link.batch_id}.html").read_text()
    assert "for 365 days after we received it" in (receipts / f"{got['good.csv'].batch_id}.html").read_text()


def test_a_fifo_a_linked_folder_and_a_link_to_a_folder_are_quarantined_without_blocking(home, tmp_path):
    folder = home.landing / "dwp" / "claimant_count"
    land(home.landing, *DWP, "good.csv", GOOD)
    os.mkfifo(folder / "pipe.csv")  # opening it to read would wait for a writer for ever
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "inner.csv").write_bytes(GOOD)
    os.symlink(tmp_path / "outside", folder / "sub")
    got = _ingest(home)
    assert {n: (e.status, e.reasons[0]["code"] if e.reasons else "") for n, e in got.items()} == {
        "good.csv": ("accepted", ""), "pipe.csv": ("quarantined", "not_a_file"), "sub": ("quarantined", "not_a_file")}
    assert "is a named pipe (FIFO)" in got["pipe.csv"].reasons[0]["message"]
    assert (tmp_path / "outside" / "inner.csv").read_bytes() == GOOD  # the folder behind the link is untouched


def test_a_dataset_folder_that_is_a_link_to_another_partners_folder_takes_nothing_of_theirs(home):
    land(home.landing, "police", "recorded_crime", "theirs.csv", b"x")
    (home.landing / "dwp").mkdir()
    os.symlink(home.landing / "police" / "recorded_crime", home.landing / "dwp" / "claimant_count")
    assert Ingestor(home).run("dwp", "claimant_count") == []
    assert (home.landing / "police" / "recorded_crime" / "theirs.csv").exists()


def test_a_216_character_name_is_archived_under_a_bounded_name_and_kept_whole_in_the_ledger(home):
    name = "claimant_count_" + "x" * 197 + ".csv"
    land(home.landing, *DWP, name, GOOD)
    [entry] = Ingestor(home).run()
    assert (len(name), entry.status, entry.original_name, entry.rows_loaded) == (216, "accepted", name, 3)
    archived = home.home / entry.archive_path
    assert archived.read_bytes() == GOOD and len(archived.name) < 200 and archived.suffix == ".csv"


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_a_file_that_took_two_runs_down_is_quarantined_and_the_rest_of_its_dataset_loads(home):
    """A claimed file found again whose claimer died is retried once (claimed under .retried/);
    found there again, it is quarantined unread instead of taking every later run down."""
    owner = home.landing / ".processing" / f"{socket.gethostname()}-{_dead_pid()}-dead"
    land(owner / ".retried", *DWP, "killer.json", b"[" * 100)
    land(owner, *DWP, "once.csv", csv_bytes([claimant(7, month="2025-05")]))
    land(home.landing, *DWP, "good.csv", GOOD)
    got = _ingest(home)
    assert {n: e.status for n, e in got.items()} == {"killer.json": "quarantined", "once.csv": "accepted",
                                                     "good.csv": "accepted"}
    assert got["killer.json"].reasons[0]["code"] == "crashed_reader"
    assert "the file crashed the reader" in got["killer.json"].reasons[0]["message"]
    assert (home.home / got["killer.json"].archive_path).read_bytes() == b"[" * 100  # kept for the data team
    assert not list((home.landing / ".processing").rglob("*"))
    receipt = json.loads((home.home / got["killer.json"].receipt_path).with_suffix(".json").read_text())
    assert receipt["status"] == "quarantined"


def _marmot_ingest(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "marmot.cli", "ingest"], capture_output=True, text=True, timeout=300,
                          env={**{k: v for k, v in os.environ.items() if k != "MARMOT_CRASH_AT"}, **env})


POLICE = ("police", "recorded_crime")
CRIMES = "".join(json.dumps(crime(i)) + "\n" for i in range(4)).encode()


def test_a_json_document_nested_10000_deep_is_quarantined_and_the_run_goes_on(home):
    """DuckDB segfaulted on it (docs STACK.md) and took the run down, every run, for good."""
    depth = 10_000
    land(home.landing, *POLICE, "deep.json", ('[' + '{"month":' * depth + "1" + "}" * depth + "]").encode())
    land(home.landing, *POLICE, "good.ndjson", CRIMES)
    run = _marmot_ingest()
    assert run.returncode == 0, run.stderr[-2000:]
    got = {e.original_name: e for e in read_all(home.ledger, *POLICE)}
    assert (got["deep.json"].status, got["good.ndjson"].status) == ("quarantined", "accepted")
    assert not list(home.landing.rglob("*.*json"))


def test_a_reader_that_dies_on_a_file_quarantines_that_file_only_and_the_next_reader_loads_the_rest(home):
    for name, month in (("a.ndjson", "2025-01"), ("b.ndjson", "2025-02"), ("c.ndjson", "2025-03")):
        land(home.landing, *POLICE, name, "".join(json.dumps(crime(i, month)) + "\n" for i in range(4)).encode())
    run = _marmot_ingest(MARMOT_CRASH_AT="read:b.ndjson")  # the reader SIGKILLs itself, as the OOM killer would
    assert run.returncode == 0, run.stderr[-2000:]
    got = {e.original_name: e for e in read_all(home.ledger, *POLICE)}
    assert {n: e.status for n, e in got.items()} == {"a.ndjson": "accepted", "b.ndjson": "quarantined",
                                                     "c.ndjson": "accepted"}
    [reason] = got["b.ndjson"].reasons
    assert reason["code"] == "crashed_reader" and "it stopped with signal SIGKILL" in reason["message"]


def test_a_reader_that_cannot_start_stops_the_run_and_quarantines_nothing(home):
    land(home.landing, *POLICE, "good.ndjson", CRIMES)
    run = _marmot_ingest(MARMOT_READER_MEMORY_MB="16")
    assert run.returncode != 0 and "could not start" in run.stderr and "MARMOT_READER_MEMORY_MB" in run.stderr
    assert read_all(home.ledger) == [] and len(list((home.landing / ".processing").rglob("good.ndjson"))) == 1


def test_a_hard_link_to_a_file_elsewhere_is_quarantined_unread(home, tmp_path):
    """A hard link is a second name of the same file: landed, it could hand over a file from outside the
    landing area (the pseudonym key, another partner's archive) without being a symbolic link."""
    secret = tmp_path / "outside.csv"
    secret.write_bytes(b"month,secret\n2025-04,not for the platform\n")
    land(home.landing, *DWP, "good.csv", GOOD)
    os.link(secret, home.landing / "dwp" / "claimant_count" / "extract.csv")
    got = _ingest(home)
    link = got["extract.csv"]
    assert (link.status, [r["code"] for r in link.reasons], link.archive_path) == ("quarantined", ["not_a_file"], "")
    assert "extract.csv is a hard link" in link.reasons[0]["message"]
    assert got["good.csv"].status == "accepted"
    assert b"not for the platform" not in _everything_under(home.archive) + _everything_under(home.receipts)
    assert secret.read_bytes().endswith(b"not for the platform\n") and secret.stat().st_nlink == 1


def test_archiving_streams_the_file_and_leaves_no_temporary_copy(home, monkeypatch):
    """The archive copy is written a chunk at a time (memory does not grow with the file) and is the file."""
    from marmot.ingest import ingestor

    monkeypatch.setattr(ingestor, "COPY_CHUNK", 7)  # many chunks for a small file
    land(home.landing, *DWP, "chunked.csv", GOOD)
    [entry] = Ingestor(home).run()
    assert (entry.status, entry.bytes, entry.rows_loaded) == ("accepted", len(GOOD), 3) and len(GOOD) > 20 * 7
    assert (home.home / entry.archive_path).read_bytes() == GOOD
    assert not [p for p in (home.archive / "dwp").rglob(".incoming-*")]
