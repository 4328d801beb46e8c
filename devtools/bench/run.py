"""`make bench`: time, throughput and peak memory of every stage, and ratios measured in the
same run (absolute times on a shared 2-core machine are noise; ratios are what we track).

Each stage runs as its own ``marmot`` subprocess so its peak memory (``ru_maxrss`` from
``wait4``) is its own. Results go to ``bench/results/<time>.json`` and ``.png``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from devtools import CHECKOUT
from devtools.bench import use_bench_key
from devtools.bench.portal import bench_portal
from marmot.settings import Paths

STAGES = ("ingest", "build", "validate", "publish")
RESULTS = CHECKOUT / "bench" / "results"


def _marmot(home: Path, *args: str) -> dict:
    """Run ``marmot --home HOME args``; return wall seconds and peak RSS (MB) of that process."""
    env = {**os.environ, "MARMOT_HOME": str(home)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "marmot.cli", "--home", str(home), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"marmot {' '.join(args)} failed ({proc.returncode}):\n{output.decode()[-4000:]}")
    return {"seconds": round(wall, 3), "peak_mb": round(usage.ru_maxrss / 1024, 1)}


def latest_period_files(src: Path) -> set[Path]:
    """Per dataset, the files of its most recent period (held back to measure an increment)."""
    held = set()
    for dataset in {p.parent for p in src.rglob("synthetic_*") if p.is_file()}:
        files = sorted(p for p in dataset.iterdir() if p.is_file() and p.name.startswith("synthetic_"))
        if len(files) > 1:
            held.add(files[-1])
    return held


def land_files(src: Path, landing: Path, files: set[Path]) -> int:
    for f in files:
        target = landing / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    return len(files)


def _rows_loaded(paths: Paths) -> int:
    from marmot.ingest.ledger import read_all

    return sum(e.rows_loaded for e in read_all(paths.ledger))


def duckdb_floor(files: list[Path], workdir: Path) -> float:
    """DuckDB's own read -> Parquet copy of the same files: the floor ingest is compared with."""
    con = duckdb.connect()
    started = time.perf_counter()
    for i, f in enumerate(files):
        suffix = f.suffix.lower()
        reader = {".csv": "read_csv", ".parquet": "read_parquet", ".json": "read_json",
                  ".ndjson": "read_json"}.get(suffix)
        if reader is None:  # xlsx: DuckDB needs the excel extension; not part of the floor
            continue
        con.execute(f"COPY (SELECT * FROM {reader}(?)) TO '{workdir / f'{i}.parquet'}' (FORMAT parquet)", [str(f)])
    con.close()
    return time.perf_counter() - started


def run_pipeline(home: Path, files: set[Path], src: Path) -> dict:
    """Land ``files`` and run every stage as a subprocess; per-stage figures."""
    paths = Paths(home)
    rows_before = _rows_loaded(paths)
    t = time.perf_counter()
    land_files(src, paths.landing, files)
    stages = {"land": {"seconds": round(time.perf_counter() - t, 3), "files": len(files)}}
    for stage in STAGES:
        stages[stage] = _marmot(home, stage)
    rows = _rows_loaded(paths) - rows_before
    stages["ingest"]["rows"] = rows
    stages["ingest"]["rows_per_second"] = round(rows / stages["ingest"]["seconds"])
    results = json.loads((paths.dbt_target / "run_results.json").read_text())
    stages["build"]["dbt_node_seconds"] = round(sum(r["execution_time"] for r in results["results"]), 3)
    stages["build"]["dbt_elapsed"] = round(results["elapsed_time"], 3)
    stages["total_seconds"] = round(sum(s["seconds"] for s in stages.values() if isinstance(s, dict)), 3)
    return stages


def single_files(src: Path, held: set[Path], n: int, dataset: str = "hospital/admissions") -> list[Path]:
    """``n`` files of one folder-drop dataset, the periods just before its held-back latest one: each lands
    alone through the scheduler (one partner file landing -> published)."""
    files = sorted(p for p in (src / dataset).iterdir() if p.is_file() and p.name.startswith("synthetic_"))
    return [f for f in files if f not in held][-n:]


def run_airflow(home: Path, batches: list[set[Path]], src: Path, port: int) -> list[dict]:
    """Files landing -> their publication, through the real scheduler, for each batch of files in turn
    (landed once the previous one is published): until the end of the run that published, not of any run
    that followed it and found nothing new.

    Folder drops start their ingest DAGs through the triggerer's landing watcher; the pulled
    datasets (no partner server here) are triggered as their daily check would start them.
    """
    from devtools import airflow_local
    from marmot.contracts import load_contracts

    paths = Paths(home)
    t = time.perf_counter()
    airflow_local.start(paths, port=port, tie_to_parent=True)
    startup = time.perf_counter() - t
    results = []
    try:
        client = airflow_local.Client(port)
        contracts = load_contracts().values()
        dags = [f"ingest__{c.id}" for c in contracts] + ["marmot_build_validate_publish"]
        for d in dags:
            client.wait_dag(d)
        watched = [c for c in contracts if c.transport.type == "landing_folder"]
        log_at = airflow_local.component_log(paths, "triggerer").stat().st_size
        for d in dags:
            client.unpause(d)
        # latency in a running deployment: the landing watchers are polling (they start when their DAG
        # is unpaused) and the runs that unpausing itself starts (the daily checks of pulled datasets) are over
        airflow_local.wait_triggers_started(paths, len(watched), since=log_at)
        client.wait_idle(dags)
        for files in batches:
            results.append(_scheduled_increment(client, paths, contracts, dags, files, src))
            results[-1]["startup_seconds"] = round(startup, 1)
    finally:
        airflow_local.stop(paths)
    return results


def _scheduled_increment(client, paths: Paths, contracts, dags: list[str], files: set[Path], src: Path) -> dict:
    before = {d: client.run_count(d) for d in dags}
    waited = {Path(f).relative_to(src).parts[1] for f in files}
    landed = datetime.now(UTC)
    land_files(src, paths.landing, files)
    for c in contracts:
        if c.transport.type != "landing_folder" and c.dataset in waited:
            client.trigger(f"ingest__{c.id}")
    # watch only the publish DAG until it has settled (polling the API is load on the machine
    # being measured); the ingest runs are over by then
    client.wait_settled(dags[-1], after=before[dags[-1]], timeout=1800)
    ingests = [client.wait_run(f"ingest__{c.id}", after=before[f"ingest__{c.id}"], timeout=1800)
               for c in contracts if c.dataset in waited]
    run, runs = client.published_run(dags[-1], after=before[dags[-1]])
    tasks = {t["task_id"]: t for t in client.task_instances(dags[-1], run["dag_run_id"])} if run else {}
    if run is None:
        raise RuntimeError(f"the increment was not published: {[(r['state'], s) for r, s in runs]}")

    def after_landing(timestamp: str) -> float:
        return round((datetime.fromisoformat(timestamp) - landed).total_seconds(), 1)

    return {"files": len(files), "seconds": after_landing(run["end_date"]), "state": run["state"],
            "publish_runs": len(runs), "ingest_runs": len(ingests),
            # where the time went, in seconds after the files landed
            "first_ingest_started": min(after_landing(r["start_date"]) for r in ingests),
            "ingests_done": max(after_landing(r["end_date"]) for r in ingests),
            **{f"{t}_started": after_landing(tasks[t]["start_date"]) for t in STAGES[1:]},
            **{f"{t}_seconds": round(after_landing(tasks[t]["end_date"]) - after_landing(tasks[t]["start_date"]), 1)
               for t in STAGES[1:]}}


def _exponent(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(x): the growth exponent."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=False)) / sum((a - mx) ** 2 for a in lx)


def _chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    full = result["full"]
    names = ["land", *STAGES]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4))
    axes[0].barh(names, [full[n]["seconds"] for n in names], color="#1d70b8")
    axes[0].set_xlabel("seconds (full run, scale 1)")
    axes[0].invert_yaxis()
    ratios = result["ratios"]
    axes[1].barh(list(ratios), list(ratios.values()), color="#f47738")
    axes[1].set_xlabel("ratio (measured in the same run)")
    axes[1].invert_yaxis()
    measured = {k: g for k, g in result.get("goals", {}).items() if g["measured"] is not None}
    shares = [g["measured"] / g["goal"] for g in measured.values()]
    axes[2].barh(list(measured), shares, color=["#00703c" if s <= 1 else "#d4351c" for s in shares])
    axes[2].axvline(1, color="#0b0c0c", linestyle="--")
    axes[2].set_xlabel("measured / goal (<= 1 meets the goal)")
    axes[2].invert_yaxis()
    fig.suptitle(f"marmot bench {result['started_at'][:19]} (years={result['years']}, scale={result['scale']})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# issue 21's goals and issue 20's pre-check, each compared with its figure of the same run ("<=": the figure
# must not exceed it)
GOALS = {
    "one file landing -> published, median (s)": 15.0,
    "burst landing -> published (s)": 30.0,
    "incremental / full at scale 8": 0.10,
    "ingest / duckdb floor": 1.3,
    "portal pre-check of 10,000 rows, p95 (s)": 2.0,
}
SINGLE_FILES = 3  # one-file increments through the scheduler (their median is reported)


def goals(result: dict) -> dict[str, dict]:
    """Each goal with the figure it is judged on (None when this run did not measure it)."""
    singles = [a["seconds"] for a in result.get("airflow_single", [])]
    figures = {
        "one file landing -> published, median (s)": statistics.median(singles) if singles else None,
        "burst landing -> published (s)": result.get("airflow", {}).get("seconds"),
        "incremental / full at scale 8": result.get("scale8", {}).get("incremental / full") or (
            result.get("ratios", {}).get("incremental / full") if result.get("scale") == 8 else None),
        "ingest / duckdb floor": result.get("ratios", {}).get("ingest / duckdb floor"),
        "portal pre-check of 10,000 rows, p95 (s)": result.get("portal", {}).get("p95"),
    }
    return {k: {"goal": g, "measured": None if figures[k] is None else round(figures[k], 3),
                "met": None if figures[k] is None else figures[k] <= g} for k, g in GOALS.items()}


def increment_ratio(work: Path, scale: float, years: int, seed: int, progress=print) -> dict:
    """Full run against an increment (one new period per dataset) at ``scale``, direct stages."""
    from devtools.synthetic import generate

    src = work / f"generated_scale{scale:g}"
    generate(src, scale=scale, years=years, seed=seed)
    all_files, held = {p for p in src.rglob("synthetic_*") if p.is_file()}, latest_period_files(src)
    full = run_pipeline(work / f"full_scale{scale:g}", all_files, src)
    progress(f"full run at scale {scale:g}: {full['total_seconds']}s")
    run_pipeline(work / f"incr_scale{scale:g}", all_files - held, src)
    incremental = run_pipeline(work / f"incr_scale{scale:g}", held, src)
    progress(f"increment at scale {scale:g}: {incremental['total_seconds']}s")
    return {"scale": scale, "full": full, "incremental": incremental,
            "incremental / full": round(incremental["total_seconds"] / full["total_seconds"], 3)}


def bench(*, years: int = 10, scale: float = 1.0, seed: int = 42, sweep: bool = False, airflow: bool = True,
          scale8: bool = False, port: int = 18765, progress=print) -> dict:
    from devtools.synthetic import generate

    use_bench_key()
    work = Path(tempfile.mkdtemp(prefix="marmot-bench-"))
    result: dict = {"started_at": datetime.now(UTC).isoformat(), "years": years, "scale": scale,
                    "cpu_count": os.cpu_count()}
    try:
        src = work / "generated"
        t = time.perf_counter()
        generate(src, scale=scale, years=years, seed=seed)
        result["generate"] = {"seconds": round(time.perf_counter() - t, 3),
                              "files": sum(1 for p in src.rglob("synthetic_*") if p.is_file()),
                              "bytes": sum(p.stat().st_size for p in src.rglob("synthetic_*") if p.is_file())}
        progress(f"generate: {result['generate']}")
        all_files = {p for p in src.rglob("synthetic_*") if p.is_file()}
        held = latest_period_files(src)

        result["full"] = run_pipeline(work / "full", all_files, src)
        progress(f"full run: {result['full']}")
        floor_dir = work / "floor"
        floor_dir.mkdir()
        result["duckdb_floor_seconds"] = round(duckdb_floor(sorted(all_files), floor_dir), 3)

        result["history"] = run_pipeline(work / "incr", all_files - held, src)
        result["incremental"] = run_pipeline(work / "incr", held, src)
        progress(f"incremental (one new period per dataset after {years} years): {result['incremental']}")

        src1 = work / "generated_1y"
        generate(src1, scale=scale, years=2, seed=seed)
        files1 = {p for p in src1.rglob("synthetic_*") if p.is_file()}
        held1 = latest_period_files(src1)
        run_pipeline(work / "incr1", files1 - held1, src1)
        result["incremental_after_1_year"] = run_pipeline(work / "incr1", held1, src1)

        if airflow:  # one file at a time, then the same increment, through the real scheduler
            singles = single_files(src, held, SINGLE_FILES)
            run_pipeline(work / "airflow", all_files - held - set(singles), src)
            *result["airflow_single"], result["airflow"] = run_airflow(
                work / "airflow", [{f} for f in singles] + [held], src, port)
            progress(f"airflow (one file landing -> published): {result['airflow_single']}")
            progress(f"airflow (burst landing -> published): {result['airflow']}")

        if scale8:  # slow: a full run and a history at 8 times the rows (about 20 minutes here)
            result["scale8"] = increment_ratio(work, 8.0, years, seed, progress)

        full = result["full"]
        ratios = {
            "ingest / duckdb floor": full["ingest"]["seconds"] / result["duckdb_floor_seconds"],
            "dbt wall / dbt node time": full["build"]["seconds"] / full["build"]["dbt_node_seconds"],
            "incremental / full": result["incremental"]["total_seconds"] / full["total_seconds"],
            "incremental 10y / 1y": result["incremental"]["total_seconds"]
            / result["incremental_after_1_year"]["total_seconds"],
        }
        if airflow:
            ratios["airflow / direct (increment)"] = (result["airflow"]["seconds"]
                                                      / result["incremental"]["total_seconds"])
        result["ratios"] = {k: round(v, 3) for k, v in ratios.items()}
        progress("portal pre-check of a 10,000-row upload, 20 times...")
        result["portal"] = bench_portal()
        result["goals"] = goals(result)

        if sweep:
            points = []
            for s in (1, 2, 4, 8):
                g = work / f"sweep{s}"
                generate(g, scale=s, years=years, seed=seed)
                run = run_pipeline(work / f"sweep_home{s}", {p for p in g.rglob("synthetic_*") if p.is_file()}, g)
                points.append({"scale": s, "seconds": run["total_seconds"],
                               "peak_mb": max(run[st]["peak_mb"] for st in STAGES)})
                progress(f"sweep scale {s}: {points[-1]}")
            result["sweep"] = {
                "points": points,
                "time_exponent": round(_exponent([p["scale"] for p in points], [p["seconds"] for p in points]), 3),
                "memory_exponent": round(_exponent([p["scale"] for p in points], [p["peak_mb"] for p in points]), 3),
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = result["started_at"][:19].replace(":", "").replace("-", "")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(result, indent=2))
    _chart(result, RESULTS / f"{stamp}.png")
    result["files"] = [str(RESULTS / f"{stamp}.json"), str(RESULTS / f"{stamp}.png")]
    return result


def print_table(result: dict) -> None:
    full = result["full"]
    print(f"\n{'stage':10s} {'seconds':>9s} {'peak MB':>9s} {'rows/s':>10s}")
    print(f"{'generate':10s} {result['generate']['seconds']:9.1f} {'':>9s} {'':>10s}")
    for s in ("land", *STAGES):
        f = full[s]
        print(f"{s:10s} {f['seconds']:9.1f} {f.get('peak_mb', ''):>9} {f.get('rows_per_second', ''):>10}")
    for a in result.get("airflow_single", []) + ([result["airflow"]] if "airflow" in result else []):
        print(f"{'airflow':10s} {a['seconds']:9.1f}   ({a.get('files', '?')} file(s) landing -> "
              f"published; components start-up {a['startup_seconds']}s, not included)")
        if "ingests_done" in a:
            print(f"{'':10s} {'':9s}   {a['ingest_runs']} ingest runs from {a['first_ingest_started']}s to "
                  f"{a['ingests_done']}s; build {a['build_started']}s + {a['build_seconds']}s, validate "
                  f"{a['validate_started']}s + {a['validate_seconds']}s, publish {a['publish_started']}s + "
                  f"{a['publish_seconds']}s")
    print("\nratios (same run):")
    for k, v in result["ratios"].items():
        print(f"  {k:28s} {v:8.3f}")
    print("\ngoals (issue 21; measured in this run):")
    for k, g in result.get("goals", {}).items():
        verdict = "not measured in this run" if g["met"] is None else "met" if g["met"] else "MISSED"
        print(f"  {k:42s} {g['measured'] if g['measured'] is not None else '-':>8} <= {g['goal']:<6} {verdict}")
    if "sweep" in result:
        print(f"\nsweep: time exponent {result['sweep']['time_exponent']}, "
              f"memory exponent {result['sweep']['memory_exponent']}")
    print(f"\nwritten: {', '.join(result['files'])}")
