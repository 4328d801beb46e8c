"""The ``marmot`` command: the same stages the Airflow tasks run, for people.

Every subcommand has ``--help``. State lives under ``--home`` / ``$MARMOT_HOME`` (default
``./var``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from marmot.settings import ensure_local_pseudonym_key
from marmot.settings import paths as home_paths

EPILOG = """\
typical session:
  marmot generate --out var/generated     # synthetic partner extracts
  marmot land var/generated               # drop them in landing/ as partners would
  marmot run                              # ingest, build, validate, publish
  marmot ledger                           # what happened to every file
  marmot query "select * from mart_indicator_values limit 5"
"""


def _print_table(columns: list[str], rows: list[tuple]) -> None:
    text = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for r in text:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def cmd_generate(args) -> int:
    from marmot.synthetic import generate

    out = Path(args.out) if args.out else home_paths().generated
    files = generate(out, scale=args.scale, years=args.years, seed=args.seed, dirty=args.dirty)
    print(f"wrote {len(files)} synthetic files under {out}"
          + (f" ({out / '_faults.json'} lists the deliberately faulty ones)" if args.dirty else ""))
    return 0


def cmd_land(args) -> int:
    from marmot.ingest import copy_into_landing

    src = Path(args.source) if args.source else home_paths().generated
    landed = copy_into_landing(src, home_paths().landing)
    print(f"landed {len(landed)} files in {home_paths().landing}")
    return 0


def cmd_ingest(args) -> int:
    from marmot import pipeline

    summary = pipeline.ingest(home_paths(), args.partner, args.dataset)
    print(f"{summary['files']} files: {summary['by_status']}; {summary['rows_loaded']} rows loaded, "
          f"{summary['rows_rejected']} rejected. See `marmot ledger` and the receipts.")
    return 0


def cmd_pull(args) -> int:
    from marmot import transports
    from marmot.contracts import PeriodError, load_contracts
    from marmot.transports.base import TransportError

    chosen = [c for c in load_contracts().values() if c.transport["type"] != "landing_folder"
              and (not args.partner or c.partner == args.partner) and (not args.dataset or c.dataset == args.dataset)]
    if (args.period or "").strip():  # one period: check it for every chosen dataset before fetching anything
        if not chosen:
            print("--period: no pulled dataset matches --partner/--dataset", file=sys.stderr)
            return 2
        try:
            for c in chosen:
                transports.check_period(c, args.period)
        except PeriodError as exc:
            print(f"--period: {exc}", file=sys.stderr)
            return 2
    period = (args.period or "").strip() or None
    failed = 0
    for c in chosen:
        try:
            landed = transports.pull(home_paths(), c, period=period)
            print(f"{c.id}: {len(landed)} new file(s) over {c.transport['type']}"
                  + (f" for period {period}" if period else ""))
        except TransportError as exc:
            failed += 1
            print(f"{c.id}: pull failed: {exc}", file=sys.stderr)
    return 1 if failed else 0


def cmd_build(args) -> int:
    from marmot import pipeline

    from marmot.build import BuildFailed

    try:
        s = pipeline.build(home_paths(), full_refresh=args.full_refresh)
    except BuildFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"dbt build passed: {s['nodes']} nodes in {s['wall_seconds']}s{' (in full)' if s['full_refresh'] else ''}")
    return 0


def cmd_validate(args) -> int:
    from marmot import pipeline

    try:
        result = pipeline.validate(home_paths(), recheck_raw=args.recheck_raw)
    except pipeline.GateFailed as exc:
        print(exc, file=sys.stderr)
        return 2
    print(result["summary"])
    return 0


def cmd_publish(args) -> int:
    from marmot import pipeline

    try:
        if args.rollback:
            result = pipeline.rollback(home_paths())
            print(f"rolled back: current is now version {result['to']} (was {result['from']})\n"
                  f"  page: {result['page']}")
            return 0
        result = pipeline.publish(home_paths())
    except pipeline.GateFailed as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"published version {result['version']}\n  page: {result['page']}")
    return 0


def cmd_run(args) -> int:
    from marmot import pipeline

    from marmot.build import BuildFailed

    try:
        out = pipeline.run(home_paths())
    except BuildFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    except pipeline.GateFailed as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"published version {out['publish']['version']}\n  page: {out['publish']['page']}")
    return 0


def cmd_ledger(args) -> int:
    from dataclasses import asdict

    from marmot.ledger import read_all

    entries = [e for e in read_all(home_paths().ledger, args.partner, args.dataset)
               if not args.status or e.status == args.status]
    if args.json:
        print(json.dumps([asdict(e) for e in entries], indent=2))
        return 0
    _print_table(
        ["received_at", "partner", "dataset", "file", "status", "rows_in", "loaded", "rejected", "reasons"],
        [(e.received_at[:19], e.partner, e.dataset, e.original_name, e.status, e.rows_in, e.rows_loaded,
          e.rows_rejected, "; ".join(r["message"] for r in e.reasons)[:120]) for e in entries],
    )
    return 0


def cmd_query(args) -> int:
    import duckdb

    db = home_paths().current / "marmot.duckdb"
    if not db.exists():
        print(f"nothing published yet ({db} missing): run `marmot run` first", file=sys.stderr)
        return 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(args.sql)
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps([dict(zip(columns, r)) for r in rows], indent=2, default=str))
    elif args.format == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows(rows)
    else:
        _print_table(columns, rows)
    return 0


def cmd_status(args) -> int:
    from marmot.contracts import load_contracts
    from marmot.ledger import LOADED, read_all

    p = home_paths()
    print(f"home: {p.home}")
    current = p.current
    if current.exists():
        manifest = json.loads((current / "manifest.json").read_text())
        print(f"published: version {manifest['version']} at {manifest['published_at']} -> {current / 'index.html'}")
    else:
        print("published: nothing yet")
    entries = read_all(p.ledger)
    rows = []
    for c in load_contracts().values():
        mine = [e for e in entries if e.partner == c.partner and e.dataset == c.dataset]
        loaded = [e for e in mine if e.status in LOADED]
        periods = sorted({per for e in loaded for per in e.periods})
        rows.append((c.partner, c.dataset, c.schedule["frequency"], len(mine), len(loaded),
                     sum(e.status == "quarantined" for e in mine),
                     periods[-1] if periods else "-", mine[-1].received_at[:19] if mine else "-"))
    _print_table(["partner", "dataset", "frequency", "files", "loaded", "quarantined", "latest_period",
                  "last_received"], rows)
    from datetime import date

    from marmot.freshness import summary

    print(f"\nfreshness as of {date.today().isoformat()} (on_time / late / missing; see marmot/freshness.py):")
    fresh = summary(list(load_contracts().values()), entries, date.today())
    _print_table(list(fresh[0]), [tuple(r.values()) for r in fresh])
    return 0


def cmd_serve(args) -> int:
    from marmot.site.serve import make_server

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


def cmd_airflow(args) -> int:
    from marmot import airflow_local

    p = home_paths()
    if args.action == "up":
        ensure_local_pseudonym_key(p)
        info = airflow_local.start(p, port=args.port)
        print(f"Airflow is up: {info['url']}  (login {info['user']} / {info['password']})\n"
              f"logs: {info['logs']}\nstop it with: make down")
    elif args.action == "down":
        stopped = airflow_local.stop(p)
        print(f"stopped {stopped} Airflow processes")
    else:
        print(json.dumps(airflow_local.status(p), indent=2))
    return 0


def cmd_demo(args) -> int:
    from marmot import demo

    return demo.run(home_paths(), years=args.years, scale=args.scale, port=args.port)


def cmd_bench(args) -> int:
    if args.dbt_in_airflow:
        from marmot.bench_dbt_in_airflow import bench_dbt_in_airflow, print_table

        result = bench_dbt_in_airflow(years=args.years, scale=args.scale, select=args.select)
    else:
        if args.select:
            raise SystemExit("marmot bench: --select only applies with --dbt-in-airflow")
        from marmot.bench import bench, print_table

        result = bench(years=args.years, scale=args.scale, sweep=args.sweep, airflow=not args.no_airflow)
    print_table(result)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marmot",
        description="Marmot place data platform: partner extracts in, Marmot indicator views out.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--home", help="platform home folder (default: $MARMOT_HOME or ./var)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("generate", cmd_generate, "Write synthetic partner extracts (demo data, marked synthetic).")
    p.add_argument("--out", help="output folder (default: $MARMOT_HOME/generated)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiplies the population, so every per-area count and record file grows in proportion; "
                        "areas (Coventry's 203 LSOAs), periods and files stay the same (default 1)")
    p.add_argument("--years", type=int, default=3,
                   help="years of periods per dataset, ending at the latest each partner would have delivered "
                        "by 2026-11-23 (default 3)")
    p.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives identical files")
    p.add_argument("--dirty", type=float, default=0.0, metavar="RATE",
                   help="damage about RATE (0-1) of the files with one realistic fault each; "
                        "OUT/_faults.json lists file, fault and the ledger status expected (default 0)")

    p = add("land", cmd_land, "Copy a folder of <partner>/<dataset>/<file> into the landing area.")
    p.add_argument("source", nargs="?", help="folder to land (default: $MARMOT_HOME/generated)")

    p = add("ingest", cmd_ingest, "Check landed files against their contracts, archive, load, write receipts.")
    p.add_argument("--partner", help="only this partner")
    p.add_argument("--dataset", help="only this dataset")

    p = add("pull", cmd_pull, "Fetch new files for datasets delivered by SFTP, HTTP API or object storage.")
    p.add_argument("--partner", help="only this partner")
    p.add_argument("--dataset", help="only this dataset")
    p.add_argument("--period", metavar="PERIOD",
                   help="fetch only this historical period, written as the contract's schedule.period_type says "
                        "(month 2025-04, quarter 2025-Q1, year 2025, academic or financial year 2024/25); "
                        "fetched again only if its content changed. Use with --partner/--dataset; every chosen "
                        "contract must say how to ask for a period (transport.period_param or period_pattern)")

    p = add("build", cmd_build, "Build the indicator marts with dbt (models, seeds and dbt tests).")
    p.add_argument("--full-refresh", action="store_true",
                   help="rebuild the incremental staging tables from every raw batch; a build does this by "
                        "itself when the dbt project or a contract changed since the last successful build")
    p = add("validate", cmd_validate, "Run the Great Expectations quality gates on the build (exit 2 when blocked).")
    p.add_argument("--recheck-raw", action="store_true",
                   help="check every current raw batch again; by default a batch that passed its dataset's "
                        "suite before (same expectations, same reference lists) is not read again")
    p = add("publish", cmd_publish, "Publish a read-only snapshot of the marts (only after a passing validation).")
    p.add_argument("--rollback", action="store_true",
                   help="point published/current back at the previous kept version (says which)")
    add("run", cmd_run, "Run every stage in order: ingest, build, validate, publish.")

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

    p = add("contracts", cmd_contracts, "Work with partner data contracts.")
    p.add_argument("action", choices=["validate"], help="validate: check every contract file")
    p.add_argument("--dir", help="contracts folder (default: ingestion/contracts)")

    p = add("airflow", cmd_airflow, "Start, stop or inspect the local Airflow (127.0.0.1).")
    p.add_argument("action", choices=["up", "down", "status"])
    p.add_argument("--port", type=int, default=8080, help="API server / UI port (default 8080)")

    p = add("bench", cmd_bench, "Benchmark every stage and print ratios measured in the same run "
                                "(writes bench/results/<time>.json and .png).")
    p.add_argument("--years", type=int, default=10, help="years of synthetic data (default 10)")
    p.add_argument("--scale", type=float, default=1.0, help="data scale (default 1)")
    p.add_argument("--sweep", action="store_true", help="also run scales 1, 2, 4, 8 and report growth exponents")
    p.add_argument("--no-airflow", action="store_true", help="skip the run through the real scheduler")
    p.add_argument("--dbt-in-airflow", action="store_true",
                   help="instead: run the dbt project three ways under the real scheduler and compare them "
                        "(one `dbt build` task as the platform does; astronomer-cosmos with one task per model; "
                        "cosmos watcher mode, one `dbt build` producer plus a sensor per node); prints wall "
                        "time, tasks and seconds per dbt node over the single build, writes "
                        "bench/results/<time>-dbt-in-airflow.json; about 30 min for the full project; needs "
                        "the bench extra (make env installs it)")
    p.add_argument("--select", nargs="+", metavar="SELECTOR",
                   help="with --dbt-in-airflow: only these dbt nodes, in every variant alike "
                        "(dbt selectors cosmos also understands, e.g. +int_indicator_inputs__p1_best_start)")

    p = add("demo", cmd_demo, "Generate, land and run the whole pipeline through Airflow; print where to look.")
    p.add_argument("--years", type=int, default=5,
                   help="years of synthetic data (default 5: the fewest for the recent-trend test)")
    p.add_argument("--scale", type=float, default=0.5,
                   help="population as a share of Coventry's (default 0.5, to keep the demo quick)")
    p.add_argument("--port", type=int, default=8080, help="Airflow API port for the run (default 8080)")
    return parser


def configure_logging(verbose: bool = False) -> None:
    """Log lines on stderr, as every marmot command (and a stage run for an Airflow task) writes them."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("great_expectations", "py4j"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.home:
        os.environ["MARMOT_HOME"] = str(Path(args.home).resolve())
    configure_logging(args.verbose)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
