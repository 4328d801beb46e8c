"""Places and communities: police crime and stop and search, air quality, EPCs, the 2021
Census households file and the council's residents and family-hub surveys (DOMAIN.md §1
P5-P8)."""

from __future__ import annotations

import numpy as np

from devtools.synthetic.identifiers import serials
from devtools.synthetic.periods import Period
from devtools.synthetic.population import AGES, ETHNIC_GROUPS, World, bernoulli, logistic, logit, stream


def _hotspots(w: World) -> np.ndarray:
    """A multiplier for the city-centre / night-time-economy LSOAs (fixed for a seed)."""
    rng = stream(w.seed, "hotspots")
    mult = np.ones(len(w.areas))
    mult[rng.choice(len(w.areas), 4, replace=False)] = 4.0
    return mult


def recorded_crime(w: World, p: Period, rng) -> dict:
    residents = w.population(p.year).sum((1, 2))
    summer = 1 + 0.1 * np.sin(2 * np.pi * (p.start.month - 4) / 12)
    violence = residents * 0.040 / 12 * np.exp(0.7 * w.deprivation) * _hotspots(w) * summer / 1.35
    hate = residents * 0.0022 / 12 * np.exp(0.5 * w.deprivation) * _hotspots(w) / 1.3
    return {"month": np.full(len(w.areas), p.label), "lsoa21_code": w.lsoa,
            "violence_offences": rng.poisson(violence), "racially_religiously_aggravated_offences": rng.poisson(hate)}


_SEARCH_RATE = np.array([0.25, 0.4, 0.9, 0.5, 0.4, 0.0]) / 1000  # per resident per month, by ETHNIC_GROUPS


def stop_search(w: World, p: Period, rng) -> dict:
    pop = w.population(p.year).sum((1, 2))
    residents = np.round(pop @ w.ethnic_p).astype(int)
    searches = rng.poisson(residents * _SEARCH_RATE)
    searches[-1] = rng.poisson(0.06 * searches.sum())  # ethnicity not recorded
    return {"month": np.full(6, p.label), "ethnicity_group": np.array(ETHNIC_GROUPS),
            "searches": searches, "resident_population": residents}


def air_quality(w: World, p: Period, rng) -> dict:
    falling = 0.975 ** (p.year - 2018)
    central = np.sqrt(_hotspots(w))
    pm25 = 10.2 * np.exp(0.08 * w.deprivation) * falling * rng.lognormal(0, 0.04, len(w.areas))
    no2 = 26 * np.exp(0.22 * w.deprivation) * central * 0.97 ** (p.year - 2018) * rng.lognormal(0, 0.08, len(w.areas))
    return {"year": np.full(len(w.areas), p.label), "lsoa21_code": w.lsoa,
            "pm25_ugm3": np.round(pm25, 2), "no2_ugm3": np.round(no2, 1)}


def epc_certificates(w: World, p: Period, rng) -> dict:
    households = w.population(p.year).sum((1, 2)) / 2.55
    counts = rng.poisson(households * 650 * w.scale / households.sum())
    lsoa = np.repeat(np.arange(len(w.areas)), counts)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    u = rng.random(n)
    private = logistic(logit(0.3) + 0.5 * dep)
    social = logistic(logit(0.2) + 0.8 * dep)
    tenure = np.where(u < social, "social_rented", np.where(u < social + private, "private_rented", "owner_occupied"))
    social_bonus = 0.5 * (tenure == "social_rented")  # social landlords' stock is more often band C
    good = bernoulli(rng, logistic(logit(0.38) - 0.35 * dep + social_bonus + 0.08 * (p.year - 2021)))
    above = np.array(list("ABC"))[rng.choice(3, n, p=[0.01, 0.14, 0.85])]
    below = np.array(list("DEFG"))[rng.choice(4, n, p=[0.66, 0.25, 0.07, 0.02])]
    ids = np.char.add(serials(rng, "", n, 10), np.char.zfill(rng.integers(0, 10**6, n).astype(str), 6))
    return {"month": np.full(n, p.label), "certificate_id": ids, "lsoa21_code": w.lsoa[lsoa],
            "energy_band": np.where(good, above, below), "tenure": tenure}


def households_2021(w: World, p: Period, rng) -> dict:
    pop = w.population(2021)
    households = np.round(pop.sum((1, 2)) / rng.normal(2.55 + 0.15 * w.deprivation, 0.08)).astype(int)
    residents_16 = pop[:, :, 16:].sum((1, 2))
    return {"year": np.full(len(w.areas), "2021"), "lsoa21_code": w.lsoa, "households": households,
            "overcrowded_households": rng.binomial(households, logistic(logit(0.055) + 1.0 * w.deprivation)),
            "residents_16_plus": residents_16,
            "residents_no_qualifications": rng.binomial(residents_16, logistic(logit(0.19) + 0.7 * w.deprivation))}


def residents_survey(w: World, p: Period, rng) -> dict:
    """About 1,800 respondents a year; older residents respond more, weights correct for it."""
    pop = w.population(p.year)
    response = np.where(AGES < 16, 0, 0.5 + AGES / 60.0)[None, None, :] * np.exp(-0.2 * w.deprivation)[:, None, None]
    lsoa, sex, age = w.draw(rng, pop * response * 1_800 * w.scale / (pop * response).sum())
    age = np.where(age == 90, 90 + rng.integers(0, 8, age.size), age)
    n = lsoa.size
    dep = w.deprivation[lsoa]
    weight = np.clip(np.round(1.6 - age / 70 + rng.lognormal(0, 0.3, n) * 0.4, 3), 0.2, 5)
    ltc = bernoulli(rng, logistic(-1.8 + 0.035 * (age - 40) + 0.45 * dep))
    u = rng.random(n)
    student = (age < 25) & (u < 0.45)
    retired = (age >= 66) & (u < 0.9) | (age >= 75)
    employed = ~student & ~retired & bernoulli(rng, logistic(logit(0.76) - 0.45 * dep - 0.9 * ltc))
    unemployed = ~student & ~retired & ~employed & bernoulli(rng, np.full(n, 0.22))
    rest = ~(student | retired | employed | unemployed)
    sick = rest & (ltc | bernoulli(rng, np.full(n, 0.15)))
    caring = rest & ~sick & bernoulli(rng, np.full(n, 0.4))
    status = np.select([student, retired, employed, unemployed, sick, caring],
                       ["inactive_student", "retired", "employed", "unemployed", "inactive_long_term_sick",
                        "inactive_caring"],
                       "inactive_other")
    routine = bernoulli(rng, logistic(logit(0.33) + 0.7 * dep))
    occupation = np.where(employed, np.where(routine, "routine_manual", "other"), None).astype(object)
    return {
        "year": np.full(n, p.label), "respondent_id": serials(rng, f"RS{p.label}", n, 5),
        "lsoa21_code": w.lsoa[lsoa], "age": age, "sex": np.array(["M", "F"])[sex],
        "ethnicity_group": w.ethnicity(rng, lsoa), "weight": weight, "economic_status": status,
        "long_term_condition": ltc, "occupation_group": occupation,
        "smokes": bernoulli(rng, logistic(logit(0.12) + 0.6 * dep + 0.6 * (employed & routine) - 0.01 * (age - 40))),
        "active_150_minutes": bernoulli(rng, logistic(logit(0.62) - 0.45 * dep - 0.02 * (age - 45) - 0.6 * ltc)),
        "lonely_often": bernoulli(rng, logistic(logit(0.08) + 0.35 * dep + 0.5 * ltc)),
        "home_internet": bernoulli(rng, logistic(logit(0.93) - 0.5 * dep - 0.05 * np.maximum(age - 65, 0))),
        "active_travel_3_days": bernoulli(rng, logistic(logit(0.3) + 0.15 * dep - 0.02 * np.maximum(age - 60, 0))),
    }


def parenting_survey(w: World, p: Period, rng) -> dict:
    under5 = w.population(p.year)[:, :, :5].sum((1, 2))
    counts = rng.poisson(under5 * 800 * w.scale / under5.sum())
    lsoa = np.repeat(np.arange(len(w.areas)), counts)
    n = lsoa.size
    confident = bernoulli(rng, logistic(logit(0.78) - 0.45 * w.deprivation[lsoa] + 0.03 * (p.year - 2021)))
    return {"year": np.full(n, p.label), "respondent_id": serials(rng, f"FH{p.label}", n, 5),
            "lsoa21_code": w.lsoa[lsoa], "ethnicity_group": w.ethnicity(rng, lsoa), "confident": confident}
