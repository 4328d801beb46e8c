"""``marmot ledger|query|status|serve``: look at what the platform holds and has published."""

from __future__ import annotations

import json
import sys

from marmot.cli.output import print_table
from marmot.settings import paths as home_paths


def cmd_ledger(args) -> int:
    from dataclasses import asdict

    from marmot.ingest.ledger import read_all

    entries = [e for e in read_all(home_paths().ledger, args.partner, args.dataset)
               if not args.status or e.status == args.status]
    if args.json:
        print(json.dumps([asdict(e) for e in entries], indent=2))
        return 0
    print_table(
        ["received_at", "partner", "dataset", "file", "status", "rows_in", "loaded", "rejected", "reasons"],
        [(e.received_at[:19], e.partner, e.dataset, e.original_name, e.status, e.rows_in, e.rows_loaded,
          e.rows_rejected, "; ".join(r["message"] for r in e.reasons)[:120]) for e in entries],
    )
    return 0


def cmd_query(args) -> int:
    import duckdb

    from marmot.publish.query import QueryRefused, run_query

    db = home_paths().current / "marmot.duckdb"
    if not db.exists():
        print(f"nothing published yet ({db} missing): run `marmot run` first", file=sys.stderr)
        return 1
    try:
        columns, rows = run_query(db, args.sql)
    except QueryRefused as exc:
        print(f"query refused: {exc}", file=sys.stderr)
        return 1
    except duckdb.PermissionException as exc:
        print(f"query refused: only the publication's tables can be read, no other file ({exc})", file=sys.stderr)
        return 1
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps([dict(zip(columns, r, strict=False)) for r in rows], indent=2, default=str))
    elif args.format == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows(rows)
    else:
        print_table(columns, rows)
    return 0


def cmd_status(args) -> int:
    from datetime import date

    from marmot.contracts import load_contracts
    from marmot.ingest.ledger import LOADED, read_all
    from marmot.land.claims import IN_PROGRESS, STALLED_HOURS, stalled_uploads
    from marmot.monitor.freshness import dataset_status, state_counts

    p = home_paths()
    print(f"home: {p.home}")
    current = p.current
    if current.exists():
        manifest = json.loads((current / "manifest.json").read_text())
        print(f"published: version {manifest['version']} at {manifest['published_at']} -> {current / 'index.html'}")
    else:
        print("published: nothing yet")
    entries = read_all(p.ledger)
    statuses = dataset_status(load_contracts().values(), entries, date.today())
    counts = ", ".join(f"{n} {state}" for state, n in state_counts(statuses).items())
    print(f"\npartner data as of {date.today().isoformat()}: {len(statuses)} datasets, {counts} "
          "(the site's partner data status page shows the same; rule in marmot/monitor/freshness.py)")
    rows = []
    for s in statuses:
        mine = [e for e in entries if e.partner == s.partner and e.dataset == s.dataset]
        periods = sorted({per for e in mine if e.status in LOADED for per in e.periods})
        rows.append((s.partner_name, s.title, s.contract_id, s.frequency, len(mine),
                     sum(e.status == "quarantined" for e in mine), periods[-1] if periods else "-",
                     f"{s.periods_received} / {s.periods_due}", s.state, s.since or "-", s.owed_text(),
                     f"{s.last.original_name} ({s.last.status}, {s.last.received_at[:16]})" if s.last else "-",
                     s.last.receipt_path if s.last and s.last.receipt_path else "-", s.next_due or "-"))
    print_table(["partner", "dataset", "id", "frequency", "files", "quarantined", "latest_period", "received / due",
                 "status", "behind since", "periods owed", "latest file", "receipt", "next due"], rows)
    if stalled := stalled_uploads(p.landing):
        print(f"\nunfinished uploads older than {STALLED_HOURS} h in {p.landing} (names ending in "
              f"{', '.join(IN_PROGRESS)} are never ingested: ask the partner to send it again, then delete them):")
        print_table(["file", "age_hours"], [(rel.as_posix(), round(age)) for rel, age in stalled])
    return 0


def cmd_serve(args) -> int:
    from marmot.publish.site.serve import make_server

    current = home_paths().current
    if not (current / "index.html").exists():
        print(f"nothing published yet ({current / 'index.html'} missing): run `marmot run` first", file=sys.stderr)
        return 1
    server = make_server(current, args.port)
    print(f"serving {current.resolve()} (read-only) on http://127.0.0.1:{server.server_address[1]}/ ; Ctrl-C stops",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def register(add) -> None:
    """Add these subcommands to the parser (``add(name, func, help)`` returns the subparser)."""
    p = add("ledger", cmd_ledger, "Show the ledger: every landed file and what happened to it.")
    p.add_argument("--json", action="store_true", help="print JSON records")
    p.add_argument("--partner", help="only this partner")
    p.add_argument("--dataset", help="only this dataset")
    p.add_argument("--status", help="only this status (accepted, quarantined, ...)")

    p = add("query", cmd_query, "Run read-only SQL against the current publication.")
    p.add_argument("sql", help='SQL, e.g. "select * from mart_indicator_values limit 5"')
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")

    add("status", cmd_status, "Show the current publication and, per partner dataset, what arrived.")

    p = add("serve", cmd_serve, "Serve the current publication's site read-only on 127.0.0.1.")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
