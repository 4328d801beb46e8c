"""``marmot contracts validate``: check every partner contract and list all problems at once.
``marmot contracts schema``: print the JSON Schema of a contract file (``--write``: update the committed
``ingestion/contracts/contract.schema.json`` that editors validate the YAML files against).
``marmot contracts dbt-sources``: say which dbt sources files differ from the contracts (``--write``: rewrite
them; marmot/build/sources.py)."""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_contracts(args) -> int:
    from marmot.contracts import SCHEMA_FILE, ContractError, json_schema, load_contracts
    from marmot.settings import contracts_dir

    if args.action == "schema":
        if not args.write:
            print(json_schema(), end="")
            return 0
        target = (Path(args.dir) if args.dir else contracts_dir()) / SCHEMA_FILE
        target.write_text(json_schema(), encoding="utf-8")
        print(f"wrote {target}")
        return 0
    try:
        contracts = load_contracts(Path(args.dir)) if args.dir else load_contracts()
    except ContractError as exc:
        print(f"invalid contracts:\n{exc}", file=sys.stderr)
        return 1
    if args.action == "dbt-sources":
        return _dbt_sources(contracts, args.write)
    for c in contracts.values():
        print(f"ok  {c.id:40s} {len(c.columns):3d} columns  owner: {c.owner} <{c.contact}>")
    print(f"{len(contracts)} contracts valid")
    return 0


def _dbt_sources(contracts, write: bool) -> int:
    from marmot.build import sources
    from marmot.settings import dbt_project_dir

    staging = dbt_project_dir() / "models" / "staging"
    if write:
        changed = sources.write(contracts, staging)
        print(f"rewrote {len(changed)} dbt sources file(s)" + "".join(f"\n  {p}" for p in changed))
        return 0
    stale = [p for p, text in sources.expected_files(contracts, staging).items()
             if not p.exists() or p.read_text() != text]
    for p in stale:
        print(f"out of date: {p}")
    print(f"{len(stale)} dbt sources file(s) differ from the contracts" + (" (fix: --write)" if stale else ""))
    return 1 if stale else 0


def register(add) -> None:
    """Add these subcommands to the parser (``add(name, func, help)`` returns the subparser)."""
    p = add("contracts", cmd_contracts, "Work with partner data contracts.")
    p.add_argument("action", choices=["validate", "schema", "dbt-sources"],
                   help="validate: check every contract file; schema: print the contracts' JSON Schema; "
                        "dbt-sources: check the dbt sources files generated from the contracts")
    p.add_argument("--dir", help="contracts folder (default: ingestion/contracts)")
    p.add_argument("--write", action="store_true",
                   help="schema: write it to <dir>/contract.schema.json instead of printing it; "
                        "dbt-sources: rewrite the files that differ")
