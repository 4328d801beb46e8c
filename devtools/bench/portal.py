"""``python -m devtools bench --portal``: how long a partner waits for the pre-check of an upload.

A real portal (uvicorn on 127.0.0.1, a scratch home) takes a 10,000-row Job Shop extract through its API
(``check_only``: nothing lands) ``repeats`` times after one warm-up; the time from sending the file to having the
pre-check result is reported as p50 / p95 / max against the goal (p95 under 2 s)."""

from __future__ import annotations

import csv
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devtools.bench import use_bench_key
from marmot.settings import Paths, geography_seeds_dir

GOAL_P95_SECONDS = 2.0
DATASET = ("skills", "job_shop_clients")


def job_shop_csv(path: Path, rows: int, *, bad_rows: int = 0, period: str = "2025/26", start: int = 0) -> Path:
    """A Job Shop clients extract (skills/job_shop_clients) of ``rows`` rows; the first ``bad_rows`` have an age
    that is not a number (row 1) or out of range and an LSOA outside Coventry, alternately."""
    with open(geography_seeds_dir() / "lsoa21_imd2025.csv", newline="") as f:
        lsoas = [r["lsoa21_code"] for r in csv.DictReader(f)]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["financial_year", "client_id", "lsoa21_code", "age", "ethnicity_group", "disabled", "into_work"])
        for i in range(rows):
            age, lsoa = str(18 + i % 50), lsoas[i % len(lsoas)]
            if i < bad_rows:
                age, lsoa = ("twenty", lsoa) if i % 2 == 0 else (age, "E99999999")
            w.writerow([period, f"C{start + i:07d}", lsoa, age, "White", "N", "Y" if i % 3 else "N"])
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` under a real uvicorn server on a free loopback port, in a thread; its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def bench_portal(rows: int = 10_000, repeats: int = 20) -> dict:
    import logging

    import httpx

    from marmot.contracts import load_contracts
    from marmot.portal import accounts
    from marmot.portal.app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    use_bench_key()  # the pre-check pseudonymises as ingest does
    with tempfile.TemporaryDirectory(prefix="marmot-bench-portal-") as tmp:
        paths = Paths(Path(tmp) / "home")
        contracts = load_contracts()
        token = accounts.add_token(paths, contracts, DATASET[0], "bench")
        data = job_shop_csv(Path(tmp) / "job_shop_clients.csv", rows).read_bytes()
        times = []
        with serving(create_app(paths, contracts, secure_cookies=False)) as base, httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            for i in range(repeats + 1):
                started = time.perf_counter()
                response = client.post(f"/api/datasets/{DATASET[1]}/uploads", params={"check_only": "true"},
                                       files={"file": (f"extract-{i}.csv", data, "text/csv")})
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                assert response.json()["precheck"]["rows_in"] == rows, response.json()["precheck"]
                if i:  # the first starts the reader process
                    times.append(elapsed)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"rows": rows, "repeats": repeats, "p50": statistics.median(times), "p95": p95, "max": times[-1],
            "goal_p95": GOAL_P95_SECONDS, "met": p95 < GOAL_P95_SECONDS}


def print_result(result: dict) -> None:
    print(f"portal pre-check of a {result['rows']:,}-row upload ({result['repeats']} uploads after a warm-up): "
          f"p50 {result['p50']:.2f} s, p95 {result['p95']:.2f} s, max {result['max']:.2f} s; "
          f"goal p95 < {result['goal_p95']:.0f} s: {'met' if result['met'] else 'NOT met'}")
