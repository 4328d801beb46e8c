"""`python -m devtools bench --dbt-in-airflow`: what running the dbt project inside Airflow costs, three ways,
under the real scheduler (issue 8; the DAGs are in devtools/bench/dbt_dags.py):

- ``single``: one task running ``dbt build`` (what the platform does now);
- ``watcher``: cosmos ``ExecutionMode.WATCHER``, one ``dbt build`` producer + a sensor per node;
- ``cosmos``: cosmos ``ExecutionMode.LOCAL``, one task (one dbt invocation) per model, seed and
  model's tests.

One platform home gets synthetic data, ingested in-process. Cosmos gets a parsed copy of the dbt
project (``target/manifest.json``, so it renders with ``LoadMode.DBT_MANIFEST`` and never runs dbt
at parse time, and ``target/partial_parse.msgpack``, so its first dbt call is not a full parse).
Airflow's components then start on 127.0.0.1 with a temporary DAG folder holding only the DAG
being measured (each cosmos DAG file costs the dag-processor seconds of CPU per parse, which
would otherwise slow the other variants down). An unmeasured single build runs first, so every
measured run replaces existing tables and starts from dbt's partial parse.

Per run: wall time from the DAG run's start to its end (REST API), number of task instances, the
sum of their durations, and the extra time per dbt node compared with the single build of the
same run. Results go to ``bench/results/<time>-dbt-in-airflow.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from devtools import CHECKOUT
from devtools.bench import use_bench_key
from devtools.bench.dbt_dags import PROFILE, TARGET, VARIANTS, dag_file, dag_id
from marmot.settings import Paths, dbt_project_dir

RESULTS = CHECKOUT / "bench" / "results"


def prepare_home(home: Path, work: Path, *, years: int, scale: float, seed: int) -> Paths:
    """Synthetic extracts for every dataset, landed and ingested (accepted batches as Parquet)."""
    from devtools.synthetic import generate
    from marmot.land.drop import copy_into_landing
    from marmot.orchestration import pipeline

    paths = Paths(home)
    src = work / "generated"
    generate(src, years=years, scale=scale, seed=seed)
    copy_into_landing(src, paths.landing)
    pipeline.ingest(paths)
    return paths


def parsed_project(paths: Paths, out: Path) -> Path:
    """A copy of dbt_project/ at ``out`` whose ``target/`` holds what ``dbt parse`` writes.

    This is how cosmos expects a deployment to ship a project (manifest and partial parse built
    beforehand), without putting build artefacts into the repository's dbt_project/. dbt runs in a
    subprocess because marmot.build.dbt.run_dbt sets dbt's variables (DBT_TARGET_PATH, ...) in its own
    process environment, which Airflow's components would inherit: cosmos tasks must keep dbt's
    target inside their temporary copy of the project.
    """
    from marmot.build.dbt import dbt_env

    shutil.copytree(dbt_project_dir(), out, ignore=shutil.ignore_patterns("target", "logs"))
    env = {**os.environ, **dbt_env(paths), "DBT_TARGET_PATH": str(out / "target")}
    # cosmos passes --profile and --target; dbt discards a partial parse made without the same flags
    command = [str(Path(sys.executable).parent / "dbt"), "parse", "--project-dir", str(out),
               "--profile", PROFILE, "--target", TARGET]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout[-3000:]}")
    return out


def measure(client, paths: Paths, dags: Path, variant: str, project: Path, select: list[str],
            timeout: float) -> dict:
    """Put the variant's DAG file in the folder, run it once, take it out again; the run's figures."""
    name = dag_id(variant)
    load = round(os.getloadavg()[0], 2)
    path = dags / f"{name}.py"
    path.write_text(dag_file(variant, project, select))
    try:
        client.wait_dag(name, timeout=180)
        client.unpause(name)
        run = client.wait_run(name, client.trigger(name), timeout=timeout)
        tis = client.task_instances(name, run["dag_run_id"])
    finally:
        path.unlink()
    started, ended = (datetime.fromisoformat(run[k]) for k in ("start_date", "end_date"))
    figures = {
        "load_average_before": load,
        "state": run["state"],
        "wall_seconds": round((ended - started).total_seconds(), 1),
        "queued_seconds": round((started - datetime.fromisoformat(run["queued_at"])).total_seconds(), 1),
        "tasks": len(tis),
        "task_seconds_sum": round(sum(t["duration"] or 0 for t in tis), 1),
        "task_states": dict(Counter(t["state"] for t in tis)),
        "operators": dict(Counter(t["operator"] for t in tis)),
        "operator_seconds": _seconds_by_operator(tis),
    }
    if variant == "single":  # dbt's own account of the same build
        results = json.loads((paths.dbt_target / "run_results.json").read_text())
        figures["dbt_nodes"] = len(results["results"])
        figures["dbt_elapsed_seconds"] = round(results["elapsed_time"], 1)
    return figures


def bench_dbt_in_airflow(*, years: int = 10, scale: float = 1.0, seed: int = 42, select: list[str] | None = None,
                         port: int = 0, timeout: float = 3600, progress=print) -> dict:
    """Measure every variant on one home; ``select`` (dbt selectors cosmos understands too) limits all alike."""
    from devtools import airflow_local
    use_bench_key()
    select = list(select or [])
    work = Path(tempfile.mkdtemp(prefix="marmot-bench-dbt-"))
    os.environ.update(cosmos_settings(work / "cosmos-cache"))  # inherited by Airflow's components
    result: dict = {"started_at": datetime.now(UTC).isoformat(), "years": years, "scale": scale,
                    "select": select, "cpu_count": os.cpu_count()}
    paths = None
    try:
        t = time.perf_counter()
        paths = prepare_home(work / "home", work, years=years, scale=scale, seed=seed)
        project = parsed_project(paths, work / "dbt_project")
        progress(f"home with data and parsed dbt project in {time.perf_counter() - t:.0f}s")
        dags = work / "dags"
        dags.mkdir()
        port = port or _free_port()
        airflow_local.start(paths, port=port, tie_to_parent=True, dags_folder=dags)
        client = airflow_local.Client(port)
        warm_up = measure(client, paths, dags, "single", project, select, timeout)
        progress(f"warm-up single build: {warm_up['wall_seconds']}s ({warm_up['state']})")
        runs = {}
        for variant in VARIANTS:
            runs[variant] = r = measure(client, paths, dags, variant, project, select, timeout)
            progress(f"{variant}: {r['wall_seconds']}s, {r['tasks']} tasks ({r['state']})")
    finally:
        if paths is not None:
            airflow_local.stop(paths)
        shutil.rmtree(work, ignore_errors=True)
    result["warm_up_single_seconds"] = warm_up["wall_seconds"]
    result["runs"] = runs
    result.update(_comparison(runs))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = result["started_at"][:19].replace(":", "").replace("-", "")
    out = RESULTS / f"{stamp}-dbt-in-airflow.json"
    out.write_text(json.dumps(result, indent=2))
    result["files"] = [str(out)]
    return result


def cosmos_settings(cache_dir: Path) -> dict[str, str]:
    """Cosmos's settings for the bench: its caches in a fresh folder, and no usage telemetry
    (cosmos reports every task run to an outside server unless told not to)."""
    return {"AIRFLOW__COSMOS__CACHE_DIR": str(cache_dir), "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False"}


def _seconds_by_operator(tis: list[dict]) -> dict[str, float]:
    """Sum of task durations per operator (e.g. the watcher's producer against its sensors)."""
    seconds: Counter = Counter()
    for t in tis:
        seconds[t["operator"]] += t["duration"] or 0
    return {op: round(s, 1) for op, s in seconds.items()}


def _comparison(runs: dict) -> dict:
    """Ratios and extra seconds per dbt node against the single build measured in the same run."""
    single = runs["single"]
    nodes = single["dbt_nodes"]
    return {
        "dbt_nodes": nodes,
        "ratios": {f"{v} / single (wall)": round(r["wall_seconds"] / single["wall_seconds"], 2)
                   for v, r in runs.items() if v != "single"},
        "overhead_seconds_per_node": {v: round((r["wall_seconds"] - single["wall_seconds"]) / nodes, 2)
                                      for v, r in runs.items() if v != "single"},
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def print_table(result: dict) -> None:
    print(f"\n{'variant':9s} {'state':8s} {'wall s':>8s} {'tasks':>6s} {'sum of task s':>14s} {'load before':>12s}")
    for variant, r in result["runs"].items():
        print(f"{variant:9s} {r['state']:8s} {r['wall_seconds']:8.1f} {r['tasks']:6d} {r['task_seconds_sum']:14.1f} "
              f"{r['load_average_before']:12.2f}")
    single = result["runs"]["single"]
    print(f"\ndbt nodes: {result['dbt_nodes']} (single build: dbt's own elapsed time {single['dbt_elapsed_seconds']}s "
          f"of {single['wall_seconds']}s); data: {result['years']} years, scale {result['scale']}"
          + (f"; selection: {' '.join(result['select'])}" if result["select"] else ""))
    print(f"ratios and extra seconds per dbt node against the single build (same run, {result['cpu_count']} CPUs):")
    for variant, extra in result["overhead_seconds_per_node"].items():
        print(f"  {variant:8s} {result['ratios'][f'{variant} / single (wall)']:6.2f}x   {extra:+6.2f} s/node")
    print(f"written: {', '.join(result['files'])}")
