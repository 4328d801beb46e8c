"""Health partners: ONS population and deaths, maternity births, hospital admissions, ICB
long-term conditions, NCMP and drug and alcohol treatment exits.

Every generator takes the shared World, one Period and the period's random stream, and
returns {contract column: values}. Magnitudes follow DOMAIN.md §1 (Coventry scale).
"""

from __future__ import annotations

import numpy as np

from devtools.synthetic.identifiers import nhs_numbers, serials
from devtools.synthetic.periods import Period
from devtools.synthetic.population import AGES, World, bernoulli, logistic, logit


def _sexes(sex: np.ndarray) -> np.ndarray:
    return np.array(["M", "F"])[sex]


def population(w: World, p: Period, rng) -> dict:
    pop = w.population(p.year)
    lsoa, sex, age = np.indices(pop.shape).reshape(3, -1)
    return {"year": np.full(lsoa.size, p.label), "lsoa21_code": w.lsoa[lsoa], "sex": _sexes(sex),
            "age": age, "population": pop.reshape(-1)}


def deaths(w: World, p: Period, rng) -> dict:
    month = p.start.month
    winter = 1 + 0.12 * np.cos(2 * np.pi * (month - 1) / 12)
    improving = 0.995 ** (p.year - 2021)
    lsoa, sex, age = w.draw(rng, w.population(p.year) * w.mortality() * winter * improving / 12)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    exact_age = np.where(age == 90, 90 + np.minimum(rng.geometric(0.22, n) - 1, 20), age)
    preventable = (age < 75) & bernoulli(rng, logistic(logit(0.42) + 0.5 * dep))
    suicide = ~preventable & (age >= 12) & (age < 75) & bernoulli(rng, np.where(sex == 0, 0.085, 0.035))
    cause = np.where(preventable, "preventable", np.where(suicide, "suicide", "other"))
    return {"month": np.full(n, p.label), "death_id": serials(rng, f"D{p.start.year}", n),
            "sex": _sexes(sex), "age": exact_age, "lsoa21_code": w.lsoa[lsoa], "cause_category": cause}


_ASFR = np.where((AGES >= 15) & (AGES <= 46), np.exp(-(((AGES - 30.0) / 6.5) ** 2)), 0.0)
BIRTHS_PER_YEAR = 4_300


def births(w: World, p: Period, rng) -> dict:
    """Births about 4,300 a year from age-specific fertility (higher in deprived LSOAs)."""
    women = w.population(p.year)[:, 1, :]
    rate = women * _ASFR[None, :] * np.exp(0.15 * w.deprivation)[:, None]
    target = BIRTHS_PER_YEAR * w.scale * 1.008 ** (p.year - 2021) / 12
    counts = rng.poisson(rate * target / max(rate.sum(), 1e-9))
    lsoa, mother_age = np.nonzero(counts)
    reps = counts[lsoa, mother_age]
    lsoa, mother_age = np.repeat(lsoa, reps), np.repeat(mother_age, reps)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    eth = w.ethnicity(rng, lsoa)
    minority = np.isin(eth, ["Asian", "Black"])
    twin = bernoulli(rng, np.full(n, 0.015))
    gestation = np.clip(np.round(rng.normal(39.3 - 0.25 * dep - 1.5 * twin, 1.7, n)), 24, 43).astype(int)
    smoker = bernoulli(rng, logistic(logit(0.085) + 0.9 * dep - 0.8 * minority))
    # twins: a second record for the same mother, born at the same gestation
    idx = np.concatenate([np.arange(n), np.nonzero(twin)[0]])
    m = idx.size
    seq = np.concatenate([np.ones(n, int), np.full(m - n, 2)])
    dep, minority, smoker, gestation = dep[idx], minority[idx], smoker[idx], gestation[idx]
    weight = rng.normal(3500 + 150 * (gestation - 40) - 60 * dep - 170 * smoker - 80 * minority, 400)
    weight = np.clip(np.round(weight / 5) * 5, 350, 5900).astype(int)
    still = bernoulli(rng, 0.0042 * np.exp(0.35 * dep + 0.4 * minority))
    breastfed = bernoulli(rng, logistic(logit(0.5) - 0.6 * dep + 0.9 * minority - 0.5 * smoker))
    unknown_smoking = bernoulli(rng, np.full(m, 0.03))
    return {
        "month": np.full(m, p.label), "mother_nhs_number": nhs_numbers(rng, n)[idx], "baby_sequence": seq,
        "mother_age": mother_age[idx], "mother_ethnicity_group": eth[idx], "lsoa21_code": w.lsoa[lsoa[idx]],
        "gestation_weeks": gestation, "birth_weight_grams": weight,
        "birth_outcome": np.where(still, "stillbirth", "live"),
        "smoking_at_delivery": np.where(unknown_smoking, None, smoker).astype(object),
        "breastfed_6_8_weeks": np.where(still, None, breastfed).astype(object),
    }


def _admission_rates(w: World) -> dict[str, np.ndarray]:
    """Annual admissions per resident [lsoa, sex, age] by cause group."""
    a = AGES[None, None, :].astype(float)
    male = np.array([1.0, 0.0])[None, :, None]
    dep = w.deprivation[:, None, None]
    return {
        "violence": 0.0007 * np.exp(-(((a - 28) / 12) ** 2)) * (1 + 2 * male) * np.exp(0.9 * dep),
        "alcohol_specific": 0.009 * np.exp(-(((a - 52) / 16) ** 2)) * (1 + male) * np.exp(0.7 * dep),
        "self_harm": (0.0005 + 0.0022 * ((a >= 10) & (a <= 24))) * (2 - male) * np.exp(0.5 * dep),
        "other": (0.035 + 0.28 * (a / 90) ** 3) * np.exp(0.3 * dep),
    }


def admissions(w: World, p: Period, rng) -> dict:
    pop = w.population(p.year)
    parts = [(cause, *w.draw(rng, pop * rate / 12)) for cause, rate in _admission_rates(w).items()]
    cause = np.concatenate([np.full(len(x[1]), x[0]) for x in parts])
    lsoa, sex, age = (np.concatenate([x[i] for x in parts]) for i in (1, 2, 3))
    order = rng.permutation(cause.size)
    cause, lsoa, sex, age = cause[order], lsoa[order], sex[order], age[order]
    n = cause.size
    nhs = nhs_numbers(rng, n)
    # readmissions within the month: about 6% of spells belong to a patient seen earlier
    again = np.nonzero(bernoulli(rng, np.full(n, 0.06)))[0]
    again = again[again > 0]
    first = rng.integers(0, again, again.size) if again.size else again
    nhs[again], lsoa[again], sex[again], age[again] = nhs[first], lsoa[first], sex[first], age[first]
    _, inverse = np.unique(nhs, return_inverse=True)
    seq = np.zeros(n, int)
    order = np.argsort(inverse, kind="stable")
    grp = inverse[order]
    starts = np.r_[0, np.nonzero(np.diff(grp))[0] + 1]
    seq[order] = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
    exact_age = np.where(age == 90, 90 + rng.integers(0, 12, n), age)
    return {"month": np.full(n, p.label), "nhs_number": nhs, "admission_sequence": seq, "age": exact_age,
            "sex": _sexes(sex), "lsoa21_code": w.lsoa[lsoa], "cause_group": cause}


def long_term_conditions(w: World, p: Period, rng) -> dict:
    pop = w.population(p.year).sum(1)  # [lsoa, age]
    adults = pop[:, 18:].sum(1)
    registered = rng.poisson(adults * 1.06)
    htn_p = (pop[:, 18:] * logistic(-5.9 + 0.075 * AGES[18:])).sum(1) / np.maximum(adults, 1)
    htn = rng.binomial(registered, np.clip(htn_p * np.exp(0.15 * w.deprivation), 0, 1))
    quarters = (p.start.year - 2016) * 4 + (p.start.month - 1) // 3
    target = logistic(logit(0.64) - 0.35 * w.deprivation + 0.008 * quarters + rng.normal(0, 0.05, len(w.areas)))
    depression = rng.binomial(registered, np.clip(0.13 * np.exp(0.12 * w.deprivation), 0, 1))
    return {"quarter": np.full(len(w.areas), p.label), "lsoa21_code": w.lsoa,
            "hypertension_register": htn, "hypertension_at_target": rng.binomial(htn, target),
            "registered_18_plus": registered, "depression_register": depression}


BMI = np.array(["underweight", "healthy", "overweight", "obese", "severely_obese"])


def ncmp(w: World, p: Period, rng) -> dict:
    pop = w.population(p.start.year)
    groups = []
    for year_group, age, obese in (("R", 4, 0.088), ("6", 10, 0.235)):
        lsoa, sex, _ = w.draw(rng, pop[:, :, age:age + 1] * 0.94)  # 94% participation
        dep = w.deprivation[lsoa]
        p_obese = np.clip(obese * np.exp(0.3 * dep), 0, 0.6)
        p_over = np.full(lsoa.size, 0.13)
        p_under = np.full(lsoa.size, 0.012)
        u = rng.random(lsoa.size)
        cat = np.select([u < p_under, u < p_under + 1 - p_obese - p_over - p_under, u < 1 - p_obese],
                        [0, 1, 2], default=3)
        cat = np.where((cat == 3) & bernoulli(rng, np.full(lsoa.size, 0.3)), 4, cat)
        groups.append((year_group, lsoa, sex, cat))
    lsoa, sex, cat = (np.concatenate([g[i] for g in groups]) for i in (1, 2, 3))
    n = lsoa.size
    return {"academic_year": np.full(n, p.label), "child_id": serials(rng, "NCMP", n, 8),
            "sex": _sexes(sex), "lsoa21_code": w.lsoa[lsoa],
            "school_year": np.concatenate([np.full(g[1].size, g[0]) for g in groups]),
            "ethnicity_group": w.ethnicity(rng, lsoa), "bmi_category": BMI[cat]}


def treatment_exits(w: World, p: Period, rng) -> dict:
    pop = w.population(p.start.year)
    a = AGES[None, None, :]
    rate = (0.0075 * np.exp(-(((a - 40) / 13) ** 2)) * np.array([1.8, 0.8])[None, :, None]
            * np.exp(0.8 * w.deprivation)[:, None, None] * (a >= 18))
    lsoa, sex, age = w.draw(rng, pop * rate)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    substance = np.array(["opiate", "non_opiate", "alcohol"])[rng.choice(3, n, p=[0.42, 0.2, 0.38])]
    base = np.select([substance == "opiate", substance == "non_opiate"], [0.055, 0.30], 0.40)
    done = bernoulli(rng, logistic(np.log(base / (1 - base)) - 0.25 * dep))
    back = done & bernoulli(rng, np.full(n, 0.14))
    return {"financial_year": np.full(n, p.label), "client_id": serials(rng, "TX", n),
            "sex": _sexes(sex), "age": np.clip(age, 18, 100), "substance": substance,
            "completed_successfully": done, "re_presented_6_months": back}
