"""``marmot land|pull|ingest|build|validate|publish|run``: the pipeline stages, as the Airflow tasks run them."""

from __future__ import annotations

import sys
from pathlib import Path

from marmot.settings import paths as home_paths


def cmd_land(args) -> int:
    from marmot.land.drop import copy_into_landing

    src = Path(args.source) if args.source else home_paths().generated
    landed = copy_into_landing(src, home_paths().landing)
    print(f"landed {len(landed)} files in {home_paths().landing}")
    return 0


def cmd_ingest(args) -> int:
    from marmot.orchestration import pipeline
    summary = pipeline.ingest(home_paths(), args.partner, args.dataset)
    print(f"{summary['files']} files: {summary['by_status']}; {summary['rows_loaded']} rows loaded, "
          f"{summary['rows_rejected']} rejected. See `marmot ledger` and the receipts.")
    return 0


def cmd_pull(args) -> int:
    from marmot.contracts import PeriodError, load_contracts
    from marmot.land import transports
    from marmot.land.transports.base import TransportError

    chosen = [c for c in load_contracts().values() if c.transport.type != "landing_folder"
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
            print(f"{c.id}: {len(landed)} new file(s) over {c.transport.type}"
                  + (f" for period {period}" if period else ""))
        except TransportError as exc:
            failed += 1
            print(f"{c.id}: pull failed: {exc}", file=sys.stderr)
    return 1 if failed else 0


def _stage(run) -> tuple[dict | None, int]:
    """``run()``'s result and exit code 0, or None and the code of its failure, said on stderr:
    1 when dbt failed, 2 when a quality gate stopped publication."""
    from marmot.build.dbt import BuildFailed
    from marmot.orchestration.pipeline import GateFailed

    try:
        return run(), 0
    except BuildFailed as exc:
        print(exc, file=sys.stderr)
        return None, 1
    except GateFailed as exc:
        print(exc, file=sys.stderr)
        return None, 2


def cmd_build(args) -> int:
    from marmot.orchestration import pipeline

    s, code = _stage(lambda: pipeline.build(home_paths(), full_refresh=args.full_refresh))
    if s:
        print(f"dbt build passed: {s['nodes']} nodes in {s['wall_seconds']}s"
              f"{' (in full)' if s['full_refresh'] else ''}")
    return code


def cmd_validate(args) -> int:
    from marmot.orchestration import pipeline

    result, code = _stage(lambda: pipeline.validate(home_paths(), recheck_raw=args.recheck_raw))
    if result:
        print(result["summary"])
    return code


def cmd_publish(args) -> int:
    from marmot.orchestration import pipeline

    if args.rollback:
        result, code = _stage(lambda: pipeline.rollback(home_paths()))
        if result:
            print(f"rolled back: current is now version {result['to']} (was {result['from']})\n"
                  f"  page: {result['page']}")
        return code
    result, code = _stage(lambda: pipeline.publish(home_paths()))
    if result:
        print(f"published version {result['version']}\n  page: {result['page']}")
    return code


def cmd_run(args) -> int:
    from marmot.orchestration import pipeline

    out, code = _stage(lambda: pipeline.run(home_paths()))
    if out:
        print(f"published version {out['publish']['version']}\n  page: {out['publish']['page']}")
    return code


def register(add) -> None:
    """Add these subcommands to the parser (``add(name, func, help)`` returns the subparser)."""
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
