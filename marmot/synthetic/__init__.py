"""Synthetic partner extracts for demos, tests and benchmarks (no real partner data exists here).

Every file written starts with ``synthetic_`` so that lineage marks all views built from it
as synthetic demo data. The same seed gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from marmot.synthetic import early_years
from marmot.synthetic.geography import load_areas

GENERATORS = {
    "early_years/eyfsp": early_years.eyfsp,
}


def generate(out: Path, *, scale: float = 1.0, years: int = 3, seed: int = 42,
             last_year: int = 2026) -> list[Path]:
    """Write every dataset's extracts under ``out/<partner>/<dataset>/``; return the files."""
    areas = load_areas()
    written = []
    for name, make in GENERATORS.items():
        # one independent stream per dataset, so adding a dataset never changes the others
        rng = np.random.default_rng([seed, sum(name.encode())])
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        written += make(folder, areas, rng, scale=scale, years=years, last_year=last_year)
    return written
