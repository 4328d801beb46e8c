"""``marmot status`` names the uploads that never finished: a partner's ``.part``/``.tmp`` file is never ingested."""

from __future__ import annotations

import os
import time

from marmot.cli import main


def test_status_reports_unfinished_uploads_older_than_a_day(home, capsys):
    folder = home.landing / "early_years" / "eyfsp"
    folder.mkdir(parents=True)
    for name, hours in (("eyfsp_2025.csv.part", 30), ("eyfsp_2026.csv.tmp", 1), ("eyfsp_2024.csv.filepart", 50)):
        (folder / name).write_text("UPN,DOB\n")
        then = time.time() - hours * 3600
        os.utime(folder / name, (then, then))
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "unfinished uploads" in out
    assert "early_years/eyfsp/eyfsp_2025.csv.part" in out and "early_years/eyfsp/eyfsp_2024.csv.filepart" in out
    assert "eyfsp_2026.csv.tmp" not in out  # still being written, maybe
