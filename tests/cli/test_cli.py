"""The marmot command: --help on every subcommand, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from marmot.cli import build_parser, main

SUBCOMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


def test_console_script_help_lists_the_stages():
    marmot = Path(sys.executable).parent / "marmot"
    out = subprocess.run([str(marmot), "--help"], capture_output=True, text=True, check=True).stdout
    for name in ("land", "pull", "ingest", "build", "validate", "publish", "run", "ledger", "query", "status"):
        assert name in out
    assert "generate" not in out and "bench" not in out, "dev tools are `python -m devtools`, not the product"


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert f"marmot {command}" in text and len(text.splitlines()) >= 3


def test_query_without_publication_explains(home, capsys):
    assert main(["query", "select 1"]) == 1
    assert "nothing published yet" in capsys.readouterr().err


def test_validate_before_any_build_says_what_to_run(home, capsys):
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert "nothing to validate: no build yet" in err and "run `marmot build` first" in err


def test_ledger_json_and_status(home, capsys, synthetic):
    import json

    assert main(["land", str(synthetic)]) == 0
    assert main(["ingest"]) == 0
    capsys.readouterr()
    assert main(["ledger", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in records} == {"accepted"}
    assert all(r["rows_in"] == r["rows_loaded"] + r["rows_rejected"] for r in records)
    assert main(["status"]) == 0
    assert "early_years" in capsys.readouterr().out


def test_contracts_validate(capsys):
    assert main(["contracts", "validate"]) == 0
    assert "contracts valid" in capsys.readouterr().out


def test_devtools_command_has_help_for_each_tool():
    out = subprocess.run([sys.executable, "-m", "devtools", "--help"], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    for name in ("generate", "demo", "bench", "airflow"):
        assert name in out
