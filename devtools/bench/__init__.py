"""The benchmark behind `make bench`."""

import os

BENCH_KEY = "bench-pseudonym-key-not-a-secret-0001"


def use_bench_key() -> None:
    """The benchmarks' homes are temporary and synthetic: a fixed pseudonym key unless one is set."""
    os.environ.setdefault("MARMOT_PSEUDONYM_KEY", BENCH_KEY)
