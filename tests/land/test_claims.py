"""What waits in landing: regular files only; links are never followed nor announced."""

from __future__ import annotations

import os

from marmot.land.claims import waiting_files
from marmot.land.watch import snapshot


def test_the_watch_announces_regular_files_only_and_ingest_also_sees_the_links_it_must_quarantine(tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "dwp" / "claimant_count"
    folder.mkdir(parents=True)
    (folder / "good.csv").write_text("month\n2025-04\n")
    os.symlink("/etc/passwd", folder / "passwd.csv")
    os.symlink(tmp_path, folder / "linked_folder")
    os.mkfifo(folder / "pipe.csv")
    assert [name for name, _, _ in snapshot(landing, "dwp", "claimant_count")] == ["dwp/claimant_count/good.csv"]
    assert [p.name for p in waiting_files(landing, "dwp", "claimant_count")] == ["good.csv"]
    assert [p.name for p in waiting_files(landing, "dwp", "claimant_count", others=True)] == [
        "good.csv", "linked_folder", "passwd.csv", "pipe.csv"]


def test_a_partner_or_dataset_folder_that_is_a_link_is_not_walked(tmp_path):
    landing = tmp_path / "landing"
    (landing / "police" / "recorded_crime").mkdir(parents=True)
    (landing / "police" / "recorded_crime" / "theirs.csv").write_text("x")
    os.symlink(landing / "police", landing / "dwp")
    assert waiting_files(landing, "dwp") == waiting_files(landing, "dwp", "recorded_crime", others=True) == []
    assert [p.name for p in waiting_files(landing)] == ["theirs.csv"]  # once, under its own partner
