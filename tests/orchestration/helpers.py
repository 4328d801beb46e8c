"""Shared set-up of the scheduler tests: the other partners' data, already ingested.

The quality gates only publish when every Marmot principle has indicators, so a flow that lands
one dataset (EYFSP) needs the other partners' batches in the warehouse first, as a running
platform would have them. They are ingested in-process (no Airflow) before Airflow starts; the
flow under test is then: EYFSP lands -> its ingest DAG -> asset-triggered build/validate/publish.
"""

from __future__ import annotations

from pathlib import Path

from marmot.contracts import load_contracts
from marmot.land.drop import copy_into_landing
from marmot.orchestration import pipeline
from marmot.settings import Paths


def generate_other_partners(out: Path) -> Path:
    from devtools.synthetic import generate

    names = [f"{c.partner}/{c.dataset}" for c in load_contracts().values() if c.dataset != "eyfsp"]
    generate(out, years=2, seed=7, scale=0.1, datasets=names)
    return out


def preload(home: Paths, other_partners: Path) -> None:
    copy_into_landing(other_partners, home.landing)
    for c in load_contracts().values():
        if c.dataset != "eyfsp":
            pipeline.ingest(home, c.partner, c.dataset)
