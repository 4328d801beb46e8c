"""The ``marmot`` command: the same stages the Airflow tasks run, for people.

Every subcommand has ``--help``. State lives under ``--home`` / ``$MARMOT_HOME`` (default
``./var``); the project (contracts, dbt project, expectations) is ``$MARMOT_PROJECT_DIR``, by default the
nearest folder from the current one upwards that holds ``ingestion/contracts``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from marmot.cli import archive, contracts, inspect, portal, stages
from marmot.logs import configure_logging
from marmot.settings import HOME_ENV, ProjectNotFound

EPILOG = """\
typical session:
  marmot land extracts/                   # drop <partner>/<dataset>/<file> in landing/ as partners would
  marmot run                              # ingest, build, validate, publish
  marmot ledger                           # what happened to every file
  marmot query "select * from mart_indicator_values limit 5"
"""


def command_parser(prog: str, description: str, epilog: str, modules) -> argparse.ArgumentParser:
    """A parser with ``--home`` and ``-v`` and the subcommands each module's ``register`` adds."""
    parser = argparse.ArgumentParser(
        prog=prog, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", help="platform home folder (default: $MARMOT_HOME or ./var)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    for module in modules:
        module.register(add)
    return parser


def build_parser() -> argparse.ArgumentParser:
    return command_parser("marmot", "Marmot place data platform: partner extracts in, Marmot indicator views out.",
                          EPILOG, (stages, inspect, contracts, archive, portal))


def run_command(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    args = parser.parse_args(argv)
    if args.home:
        os.environ[HOME_ENV] = str(Path(args.home).resolve())
    configure_logging(args.verbose)
    try:
        return args.func(args)
    except ProjectNotFound as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser(), argv)

