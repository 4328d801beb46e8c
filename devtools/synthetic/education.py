"""Children and young people: EYFSP, KS2, KS4, the school census, NEET tracking and funded
places for two-year-olds, all drawn from the population model's single-year cohorts.

Magnitudes (DOMAIN.md §1 P1/P2): reception cohort ~4,500 with ~64% GLD, FSM children about
15 points behind; KS2 RWM ~57%; Attainment 8 ~43 with disadvantaged pupils ~12 lower;
grade 5+ English and maths ~40%; NEET + not known ~6%; two-year-old take-up ~70%.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from devtools.synthetic.identifiers import serials, upns
from devtools.synthetic.periods import Period
from devtools.synthetic.population import World, bernoulli, logistic, logit

IN_STATE_SCHOOL = 0.95


def _cohort(w: World, p: Period, rng, age: int):
    """Children of academic age ``age`` on 31 August before the academic year starts."""
    lsoa, sex, _ = w.draw(rng, w.population(p.start.year)[:, :, age:age + 1] * IN_STATE_SCHOOL)
    return lsoa, sex


def _fsm(w: World, rng, lsoa: np.ndarray) -> np.ndarray:
    return bernoulli(rng, logistic(logit(0.19) + 1.2 * w.deprivation[lsoa]))


def eyfsp(w: World, p: Period, rng) -> dict:
    lsoa, sex = _cohort(w, p, rng, 4)
    n = lsoa.size
    female = sex == 1
    fsm = _fsm(w, rng, lsoa)
    trend = 0.02 * (p.start.year - 2021)
    lp = (logit(0.66) + 0.38 * (female - 0.49) - 0.65 * (fsm - 0.3) - 0.3 * w.deprivation[lsoa] + trend
          + rng.normal(0, 0.15, n))
    born = date(p.start.year - 5, 9, 1) + np.array([timedelta(days=int(d)) for d in rng.integers(0, 365, n)])
    return {
        "upn": upns(rng, n, p.start.year - 2), "date_of_birth": np.array([d.strftime("%d/%m/%Y") for d in born]),
        "sex": np.where(female, "F", "M"), "lsoa21_code": w.lsoa[lsoa], "fsm_eligible": fsm,
        "ethnicity_group": w.ethnicity(rng, lsoa), "gld": bernoulli(rng, logistic(lp)),
        "academic_year": np.full(n, p.label),
    }


def ks2(w: World, p: Period, rng) -> dict:
    lsoa, sex = _cohort(w, p, rng, 10)
    n = lsoa.size
    fsm = _fsm(w, rng, lsoa)
    lp = (logit(0.6) + 0.15 * (sex - 0.5) - 0.75 * (fsm - 0.3) - 0.3 * w.deprivation[lsoa]
          + 0.015 * (p.start.year - 2021))
    return {"academic_year": np.full(n, p.label), "upn": upns(rng, n, p.start.year - 8),
            "sex": np.array(["M", "F"])[sex], "lsoa21_code": w.lsoa[lsoa], "fsm_eligible": fsm,
            "ethnicity_group": w.ethnicity(rng, lsoa), "rwm_expected": bernoulli(rng, logistic(lp))}


def ks4(w: World, p: Period, rng) -> dict:
    lsoa, sex = _cohort(w, p, rng, 15)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    disadvantaged = bernoulli(rng, logistic(logit(0.3) + 1.4 * dep))
    att8 = rng.normal(47.5 - 11.5 * disadvantaged - 2.5 * dep + 2.5 * sex, 14.5)
    att8 = np.clip(np.round(att8 * 4) / 4, 0, 90)
    grade5 = bernoulli(rng, logistic((att8 - 48.5) / 4.5))
    return {"academic_year": np.full(n, p.label), "upn": upns(rng, n, p.start.year - 13),
            "sex": np.array(["M", "F"])[sex], "lsoa21_code": w.lsoa[lsoa], "disadvantaged": disadvantaged,
            "ethnicity_group": w.ethnicity(rng, lsoa), "attainment8": att8, "eng_maths_grade5": grade5}


def pupil_census(w: World, p: Period, rng) -> dict:
    """Every pupil on roll aged 4-15 (January census), about 50,000 a year."""
    lsoa, sex, age = w.draw(rng, w.population(p.start.year)[:, :, 4:16] * IN_STATE_SCHOOL)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    fsm = _fsm(w, rng, lsoa)
    sen = np.select([bernoulli(rng, 0.032 * np.exp(0.2 * dep)), bernoulli(rng, 0.125 * np.exp(0.25 * dep))],
                    ["ehcp", "sen_support"], "none")
    phase = np.where((sen == "ehcp") & bernoulli(rng, np.full(n, 0.4)), "special",
                     np.where(age + 4 <= 10, "primary", "secondary"))
    mean = (np.where(phase == "primary", 0.02, 0.15) * np.exp(0.5 * dep) * (1 + 1.3 * fsm)
            * np.where(sen == "none", 1, 2.2))
    suspensions = rng.poisson(rng.gamma(0.25, mean / 0.25))
    return {"academic_year": np.full(n, p.label), "upn": upns(rng, n, p.start.year), "lsoa21_code": w.lsoa[lsoa],
            "school_phase": phase, "fsm_eligible": fsm, "sen_status": sen,
            "ethnicity_group": w.ethnicity(rng, lsoa), "suspensions": suspensions}


def neet_tracking(w: World, p: Period, rng) -> dict:
    lsoa, sex, age = w.draw(rng, w.population(p.start.year)[:, :, 16:18])
    n = lsoa.size
    dep = w.deprivation[lsoa]
    neet = bernoulli(rng, logistic(logit(0.026) + 0.8 * dep + 0.2 * age))
    unknown = ~neet & bernoulli(rng, logistic(logit(0.02) + 0.4 * dep))
    return {"academic_year": np.full(n, p.label), "young_person_id": serials(rng, "YP", n),
            "sex": np.array(["M", "F"])[sex], "lsoa21_code": w.lsoa[lsoa], "age": age + 16,
            "activity": np.where(neet, "NEET", np.where(unknown, "not_known", "EET"))}


def funded_two_year_olds(w: World, p: Period, rng) -> dict:
    twos = w.population(p.start.year)[:, :, 2].sum(1)
    eligible = rng.binomial(twos, logistic(logit(0.3) + 1.3 * w.deprivation))
    take_up = logistic(logit(0.72) - 0.3 * w.deprivation + 0.03 * (p.start.year - 2021))
    return {"academic_year": np.full(len(w.areas), p.label), "lsoa21_code": w.lsoa,
            "eligible_children": eligible, "children_taking_place": rng.binomial(eligible, take_up)}
