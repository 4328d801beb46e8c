"""A partner's file name is free text: a newline in it must not forge a log line nor split the ledger table."""

from __future__ import annotations

import logging

from conftest import eyfsp_row, land_eyfsp

from marmot.cli import main

FORGED = "eyfsp\n2026-12-01 09:00:00 INFO marmot: all partner files accepted\t.csv"


def test_a_newline_in_a_file_name_stays_on_its_line(home, capsys, caplog):
    land_eyfsp(home, FORGED, [eyfsp_row(i) for i in range(3)])
    with caplog.at_level(logging.INFO, logger="marmot"):
        assert main(["ingest"]) == 0
    named = [r.getMessage() for r in caplog.records if "all partner files" in r.getMessage()]
    assert named and all("\n" not in m and "\t" not in m for m in named), named
    capsys.readouterr()
    assert main(["ledger"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3, lines  # header, rule, one file
    assert "eyfsp\\n2026-12-01" in lines[2] and "accepted" in lines[2]
