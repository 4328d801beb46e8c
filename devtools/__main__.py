"""``python -m devtools``: developer commands kept out of the product (``marmot``).

  python -m devtools generate   synthetic partner extracts
  python -m devtools demo       what `make demo` runs
  python -m devtools bench      what `make bench` runs
  python -m devtools airflow    the local Airflow behind `make up` / `make down`
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from marmot.cli import command_parser, run_command
from marmot.settings import ensure_local_pseudonym_key, portal_port
from marmot.settings import paths as home_paths


def cmd_generate(args) -> int:
    from devtools.synthetic import generate

    out = Path(args.out) if args.out else home_paths().generated
    files = generate(out, scale=args.scale, years=args.years, seed=args.seed, dirty=args.dirty)
    print(f"wrote {len(files)} synthetic files under {out}"
          + (f" ({out / '_faults.json'} lists the deliberately faulty ones)" if args.dirty else ""))
    return 0


def cmd_airflow(args) -> int:
    from devtools import airflow_local

    p = home_paths()
    if args.action == "up":
        ensure_local_pseudonym_key(p)
        info = airflow_local.start(p, port=args.port, portal_port=args.portal_port)
        if not args.paused:
            dags = airflow_local.platform_dags()
            print(f"unpausing {len(dags)} DAGs once parsed (files landed or uploaded are ingested and published)...")
            airflow_local.unpause(airflow_local.Client(args.port), dags)
        print(f"Airflow is up: {info['url']}  (login {info['user']} / {info['password']})\n"
              f"partner portal: {info['portal']}  (add users with: marmot portal users add NAME --partner CODE)\n"
              f"logs: {info['logs']}\nstop both with: make down")
    elif args.action == "down":
        stopped = airflow_local.stop(p)
        print(f"stopped {stopped} Airflow and portal processes")
    else:
        print(json.dumps(airflow_local.status(p), indent=2))
    return 0


def cmd_demo(args) -> int:
    from devtools import demo

    return demo.run(home_paths(), years=args.years, scale=args.scale, port=args.port)


def cmd_bench(args) -> int:
    if args.portal:
        from devtools.bench.portal import bench_portal, print_result

        print_result(bench_portal())
        return 0
    if args.dbt_in_airflow:
        from devtools.bench.dbt_in_airflow import bench_dbt_in_airflow, print_table

        result = bench_dbt_in_airflow(years=args.years, scale=args.scale, select=args.select)
    else:
        if args.select:
            raise SystemExit("python -m devtools bench: --select only applies with --dbt-in-airflow")
        from devtools.bench.run import bench, print_table

        result = bench(years=args.years, scale=args.scale, sweep=args.sweep, airflow=not args.no_airflow,
                       scale8=args.scale8)
    print_table(result)
    return 0


def register(add) -> None:
    """Add these subcommands to the parser (``add(name, func, help)`` returns the subparser)."""
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

    p = add("bench", cmd_bench, "Benchmark every stage and print ratios measured in the same run "
                                "(writes bench/results/<time>.json and .png).")
    p.add_argument("--years", type=int, default=10, help="years of synthetic data (default 10)")
    p.add_argument("--scale", type=float, default=1.0, help="data scale (default 1)")
    p.add_argument("--sweep", action="store_true", help="also run scales 1, 2, 4, 8 and report growth exponents")
    p.add_argument("--scale8", action="store_true",
                   help="also measure increment / full at scale 8 (a full run and a history at 8x: slow)")
    p.add_argument("--no-airflow", action="store_true", help="skip the run through the real scheduler")
    p.add_argument("--dbt-in-airflow", action="store_true",
                   help="instead: run the dbt project three ways under the real scheduler and compare them "
                        "(one `dbt build` task as the platform does; astronomer-cosmos with one task per model; "
                        "cosmos watcher mode, one `dbt build` producer plus a sensor per node); prints wall "
                        "time, tasks and seconds per dbt node over the single build, writes "
                        "bench/results/<time>-dbt-in-airflow.json; about 30 min for the full project; needs "
                        "the bench extra (make env installs it)")
    p.add_argument("--portal", action="store_true",
                   help="instead: the partner portal's time from upload to pre-check result for a 10,000-row file "
                        "(p95, goal under 2 s; devtools/bench/portal.py)")
    p.add_argument("--select", nargs="+", metavar="SELECTOR",
                   help="with --dbt-in-airflow: only these dbt nodes, in every variant alike "
                        "(dbt selectors cosmos also understands, e.g. +int_indicator_inputs__p1_best_start)")

    p = add("demo", cmd_demo, "Generate, land and run the whole pipeline through Airflow; print where to look.")
    p.add_argument("--years", type=int, default=5,
                   help="years of synthetic data (default 5: the fewest for the recent-trend test)")
    p.add_argument("--scale", type=float, default=0.5,
                   help="population as a share of Coventry's (default 0.5, to keep the demo quick)")
    p.add_argument("--port", type=int, default=8080, help="Airflow API port for the run (default 8080)")
    p = add("airflow", cmd_airflow, "Start, stop or inspect the local Airflow (127.0.0.1).")
    p.add_argument("action", choices=["up", "down", "status"])
    p.add_argument("--port", type=int, default=8080, help="API server / UI port (default 8080)")
    p.add_argument("--portal-port", type=int, default=portal_port(),
                   help="the partner portal's port beside it (default $MARMOT_PORTAL_PORT or 8090)")
    p.add_argument("--paused", action="store_true",
                   help="up: leave the DAGs paused as Airflow creates them (nothing runs until unpaused in the UI)")


if __name__ == "__main__":
    sys.exit(run_command(command_parser(
        "python -m devtools", "Developer tools of the Marmot platform: synthetic data, demo, benchmark, local Airflow.",
        "", (sys.modules[__name__],))))
