"""Early Years Foundation Stage Profile: one pupil-level CSV per academic year.

Magnitudes from DOMAIN.md §1 (P1): a reception cohort of about 4,500, about 64% reaching a
good level of development, girls ahead of boys, FSM-eligible children about 15 points
behind, and a gradient across IMD deciles so the inequality gap is clearly non-zero.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from marmot.synthetic.geography import Area

ETHNICITY = (["White", "Asian", "Black", "Mixed", "Other", "Unknown"], [0.50, 0.22, 0.12, 0.08, 0.05, 0.03])
HEADER = ["UPN", "DOB", "Gender", "LSOA", "FSM", "Ethnicity", "GLD", "Academic Year"]


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def eyfsp(folder: Path, areas: list[Area], rng: np.random.Generator, *, scale: float, years: int,
          last_year: int) -> list[Path]:
    deciles = np.array([a.imd_decile for a in areas])
    # deprived areas are younger: more reception children per LSOA
    cohort_mean = (27.0 - 1.2 * (deciles - 1)) * scale
    written = []
    for end_year in range(last_year - years + 1, last_year + 1):
        start = end_year - 1
        label = f"{start}/{str(end_year)[2:]}"
        counts = rng.poisson(cohort_mean)
        area_idx = np.repeat(np.arange(len(areas)), counts)
        n = len(area_idx)
        female = rng.random(n) < 0.49
        fsm_p = np.clip(0.45 - 0.04 * (deciles[area_idx] - 1), 0.05, 0.6)
        fsm = rng.random(n) < fsm_p
        trend = 0.02 * (end_year - 2020)
        lp = (_logit(np.full(n, 0.55)) + 0.09 * (deciles[area_idx] - 1) + 0.35 * female - 0.55 * fsm + trend
              + rng.normal(0, 0.15, n))
        gld = rng.random(n) < 1 / (1 + np.exp(-lp))
        eth = rng.choice(len(ETHNICITY[0]), size=n, p=ETHNICITY[1])
        born_from = date(start - 5, 9, 1)
        dob_offsets = rng.integers(0, 365, n)
        upn_digits = rng.integers(10**11, 10**12, n)
        path = folder / f"synthetic_eyfsp_pupil_level_{start}-{str(end_year)[2:]}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(HEADER)
            for i in range(n):
                w.writerow([
                    f"S{upn_digits[i]}",
                    (born_from + timedelta(days=int(dob_offsets[i]))).strftime("%d/%m/%Y"),
                    "F" if female[i] else "M",
                    areas[area_idx[i]].lsoa21_code,
                    "Y" if fsm[i] else "N",
                    ETHNICITY[0][eth[i]],
                    "Y" if gld[i] else "N",
                    label,
                ])
        written.append(path)
    return written
