"""``marmot contracts validate``: check every partner contract and list all problems at once."""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_contracts(args) -> int:
    from marmot.contracts import ContractError, load_contracts

    try:
        contracts = load_contracts(Path(args.dir)) if args.dir else load_contracts()
    except ContractError as exc:
        print(f"invalid contracts:\n{exc}", file=sys.stderr)
        return 1
    for c in contracts.values():
        print(f"ok  {c.id:40s} {len(c.columns):3d} columns  owner: {c.owner} <{c.contact}>")
    print(f"{len(contracts)} contracts valid")
    return 0


def register(add) -> None:
    """Add these subcommands to the parser (``add(name, func, help)`` returns the subparser)."""
    p = add("contracts", cmd_contracts, "Work with partner data contracts.")
    p.add_argument("action", choices=["validate"], help="validate: check every contract file")
    p.add_argument("--dir", help="contracts folder (default: ingestion/contracts)")
