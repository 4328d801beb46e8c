"""Work and living standards: DWP claimant count and children in low-income families, the
council's Job Shop, advice services and homelessness assessments (DOMAIN.md §1 P3/P4)."""

from __future__ import annotations

import numpy as np

from devtools.synthetic.identifiers import serials
from devtools.synthetic.periods import Period
from devtools.synthetic.population import ETHNIC_GROUPS, World, bernoulli, logistic, logit


def claimant_count(w: World, p: Period, rng) -> dict:
    working_age = w.population(p.year)[:, :, 16:65].sum((1, 2))
    pandemic = 1.6 if "2020-04" <= p.label <= "2021-09" else 1.0
    rate = logistic(logit(0.037) + 0.9 * w.deprivation) * pandemic * (1 + 0.03 * np.sin(p.start.month / 2))
    claimants = rng.binomial(working_age, np.clip(rate, 0, 1))
    return {"month": np.full(len(w.areas), p.label), "lsoa21_code": w.lsoa, "residents_16_64": working_age,
            "claimants": claimants,
            "claimants_12_months_plus": rng.binomial(claimants, np.clip(0.35 + 0.06 * w.deprivation, 0, 1)),
            "claimants_18_24": rng.binomial(claimants, 0.17)}


def _round10(x: np.ndarray) -> np.ndarray:
    """DWP Stat-Xplore rounds published counts to the nearest 10."""
    return (np.round(x / 10) * 10).astype(int)


def children_low_income(w: World, p: Period, rng) -> dict:
    children = w.population(p.start.year)[:, :, :16].sum((1, 2))
    relative = rng.binomial(children, logistic(logit(0.16) + 1.3 * w.deprivation + 0.02 * (p.start.year - 2021)))
    absolute = rng.binomial(relative, 0.82)
    return {"financial_year": np.full(len(w.areas), p.label), "lsoa21_code": w.lsoa,
            "children_under_16": children, "children_relative_low_income": np.minimum(_round10(relative), children),
            "children_absolute_low_income": np.minimum(_round10(absolute), children)}


def _adults(w: World, rng, year: int, per_year: float, lo: int, hi: int, tilt: float):
    """Service users drawn from residents aged lo..hi, more from deprived LSOAs (``tilt``)."""
    pop = w.population(year)[:, :, lo:hi + 1] * np.exp(tilt * w.deprivation)[:, None, None]
    lsoa, sex, age = w.draw(rng, pop * per_year * w.scale / pop.sum())
    return lsoa, sex, age + lo


def job_shop_clients(w: World, p: Period, rng) -> dict:
    """Year-to-date extract of a financial year: clients registered in quarters 1..p.part."""
    lsoa, sex, age = _adults(w, rng, p.start.year, 1_900, 16, 66, 0.9)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    registered_q = rng.integers(1, 5, n)
    disabled = bernoulli(rng, np.full(n, 0.18))
    into_work = bernoulli(rng, logistic(logit(0.62) - 0.3 * dep - 0.6 * disabled))
    outcome_q = registered_q + rng.integers(0, 3, n)
    keep = registered_q <= p.part
    return {"financial_year": np.full(keep.sum(), p.label), "client_id": serials(rng, "JS", n)[keep],
            "lsoa21_code": w.lsoa[lsoa][keep], "age": age[keep], "ethnicity_group": w.ethnicity(rng, lsoa)[keep],
            "disabled": disabled[keep], "into_work": (into_work & (outcome_q <= p.part))[keep]}


def _postcodes(rng, n: int) -> np.ndarray:
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    district = rng.integers(1, 9, n).astype(str)
    tail = np.char.add(np.char.add(rng.integers(1, 10, n).astype(str), letters[rng.integers(0, 20, n)]),
                       letters[rng.integers(0, 20, n)])
    return np.char.add(np.char.add(np.char.add("CV", district), " "), tail)


def advice_cases(w: World, p: Period, rng) -> dict:
    lsoa, sex, age = _adults(w, rng, p.year, 7_000 / 4, 18, 90, 1.1)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    gain = np.where(bernoulli(rng, np.full(n, 0.15)), 0.0, rng.lognormal(np.log(2200), 0.9, n))
    return {"quarter": np.full(n, p.label), "client_id": serials(rng, "CA", n), "postcode": _postcodes(rng, n),
            "lsoa21_code": w.lsoa[lsoa], "ethnicity_group": w.ethnicity(rng, lsoa),
            "disabled": bernoulli(rng, logistic(logit(0.3) + 0.3 * dep)),
            "debt_resolved": bernoulli(rng, np.full(n, 0.46)), "annual_gain_gbp": np.minimum(np.round(gain, 2), 95_000)}


FIRST = ["Alex", "Sam", "Jordan", "Priya", "Mohammed", "Grace", "Tomasz", "Amara", "Chloe", "Daniel", "Fatima", "Kwame"]
LAST = ["Smith", "Khan", "Patel", "Kowalski", "Okafor", "Jones", "Begum", "Williams", "Ahmed", "Taylor", "Nowak",
        "Brown"]


def homelessness_cases(w: World, p: Period, rng) -> dict:
    lsoa, sex, age = _adults(w, rng, p.year, 2_400 / 4, 18, 80, 1.2)
    n = lsoa.size
    eth_p = np.array([0.55, 0.14, 0.19, 0.06, 0.04, 0.02])
    first, last = np.array(FIRST)[rng.integers(0, 12, n)], np.array(LAST)[rng.integers(0, 12, n)]
    names = np.char.add(np.char.add(first, " "), last)
    with_children = bernoulli(rng, np.full(n, 0.42))
    return {"quarter": np.full(n, p.label), "case_reference": serials(rng, "HL", n), "applicant_name": names,
            "lsoa21_code": w.lsoa[lsoa],
            "duty_owed": np.array(["prevention", "relief", "none"])[rng.choice(3, n, p=[0.5, 0.38, 0.12])],
            "household_type": np.where(with_children, "with_children", "without_children"),
            "applicant_ethnicity_group": np.array(ETHNIC_GROUPS)[rng.choice(6, n, p=eth_p)],
            "in_temporary_accommodation": bernoulli(rng, np.where(with_children, 0.3, 0.15))}
