"""``marmot archive purge``: delete the archived original files whose contract's retention has ended."""

from __future__ import annotations


def cmd_archive(args) -> int:
    from datetime import date

    from marmot.contracts import load_contracts
    from marmot.ingest.retention import purge_archive
    from marmot.settings import paths

    purged = purge_archive(paths(), load_contracts(), date.today())
    for r in purged:
        print(f"deleted {r['archive_path']} (received {r['received_at'][:10]}, kept {r['archive_days']} days; "
              f"sha256 {r['sha256']} stays in the ledger)")
    print(f"{len(purged)} archived file(s) past their retention deleted")
    return 0


def register(add) -> None:
    """Add these subcommands to the parser (``add(name, func, help)`` returns the subparser)."""
    p = add("archive", cmd_archive, "Manage the archive of original partner files.")
    p.add_argument("action", choices=["purge"],
                   help="purge: delete archived files older than their contract's retention.archive_days")
