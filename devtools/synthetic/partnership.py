"""Marmot partnership returns: quarterly activity of partner programmes (one or more of the
8 principles, the wards they reach), short case studies, and NHS trusts' WRES figures.
Programme and partner names are invented but plausible for a Marmot City."""

from __future__ import annotations

import numpy as np

from devtools.synthetic.periods import Period
from devtools.synthetic.population import World

# partner, programme, principles, offer, people reached a quarter, wards: 'all' or N most deprived
PROGRAMMES = [
    ("Coventry Family Hubs", "Baby Steps antenatal groups", "P1", "proportionate_universalism", 420, 18),
    ("Coventry Family Hubs", "Speech and language drop-ins", "P1;P2", "targeted", 260, 8),
    ("Coventry Libraries", "Bookstart Plus", "P1;P2", "universal", 900, 18),
    ("Coventry College", "Adult maths and English", "P2;P3", "targeted", 310, 10),
    ("Coventry Job Shop", "Youth Hub employment coaching", "P2;P3", "targeted", 380, 9),
    ("Coventry City Council Skills", "Good Work Charter", "P3", "universal", 45, 18),
    ("Citizens Advice Coventry", "Money advice outreach", "P4", "proportionate_universalism", 1_100, 18),
    ("Coventry Foodbank", "Fuel and food support", "P4", "targeted", 2_300, 10),
    ("Coventry Law Centre", "Housing rights clinic", "P4;P7", "targeted", 210, 8),
    ("Whitefriars Housing", "Damp and mould response team", "P5;P8", "targeted", 330, 9),
    ("Positive Youth Foundation", "Street-based youth work", "P5;P6", "targeted", 520, 7),
    ("Coventry Sport and Leisure", "Active Communities", "P5;P6", "proportionate_universalism", 1_400, 18),
    ("Public Health Coventry", "Healthy Weight programme", "P6", "proportionate_universalism", 640, 18),
    ("Grapevine Coventry and Warwickshire", "Connecting communities", "P5;P7", "targeted", 290, 6),
    ("Coventry Refugee and Migrant Centre", "Health access advocates", "P6;P7", "targeted", 450, 6),
    ("Coventry City Council Climate Team", "Warm Homes retrofit", "P4;P8", "targeted", 120, 10),
    ("Sustrans", "School Streets", "P6;P8", "universal", 1_800, 18),
]


def _wards_by_deprivation(w: World) -> list[str]:
    score: dict[str, list[float]] = {}
    for a in w.areas:
        score.setdefault(a.ward_name, []).append(a.imd_decile)
    return sorted(score, key=lambda ward: (np.mean(score[ward]), ward))


def activity_returns(w: World, p: Period, rng) -> dict:
    wards = _wards_by_deprivation(w)
    growing = 1 + 0.04 * (p.start.year - 2021)
    rows = []
    for partner, programme, principles, offer, reach, n_wards in PROGRAMMES:
        reached = sorted(wards[:n_wards]) if n_wards < len(wards) else ["all wards"]
        rows.append((p.label, partner, programme, principles, "; ".join(reached), offer,
                     int(rng.poisson(reach * w.scale * growing * rng.lognormal(0, 0.15)))))
    return dict(zip(["quarter", "partner_name", "programme", "principles", "wards", "offer", "people_reached"],
                    map(np.array, zip(*rows, strict=False)), strict=False))


# (partner, principle, title, summary, outcome); {ward} and {n} are filled in per quarter
CASE_STUDIES = [
    ("Coventry Family Hubs", "P1", "A calmer start for a first-time mum in {ward}",
     "A young mum referred by her midwife joined Baby Steps groups and had weekly visits from a family hub worker.",
     "She now attends a parents' group each week and her baby's 9-12 month review showed development on track."),
    ("Coventry Libraries", "P2", "Reading together in {ward}",
     "A Bookstart Plus session in a community centre brought {n} families who had not used the library before.",
     "Most families joined the library and several now come to the weekly rhyme time."),
    ("Coventry Job Shop", "P3", "From NEET to apprentice",
     "A 17-year-old from {ward} who left college was supported by a Youth Hub coach over three months.",
     "He started an engineering apprenticeship with a local manufacturer paying the Real Living Wage."),
    ("Citizens Advice Coventry", "P4", "Unclaimed benefits found for a carer",
     "A carer in {ward} came to a money advice outreach session at a family hub worried about rent arrears.",
     "A benefits check found {n} pounds a year of unclaimed entitlement and the arrears were cleared."),
    ("Whitefriars Housing", "P5", "Damp fixed for a family with a baby",
     "A family in {ward} reported mould in a child's bedroom through the new damp and mould line.",
     "Ventilation and insulation were installed within six weeks and the family reports fewer chest infections."),
    ("Public Health Coventry", "P6", "Healthy Weight in a primary school",
     "A primary school in {ward} worked with the Healthy Weight team on cooking sessions for {n} families.",
     "Families report cooking from scratch more often; the school has added daily active miles."),
    ("Coventry Refugee and Migrant Centre", "P7", "Registering with a GP",
     "Health access advocates helped {n} newly arrived residents in {ward} to register with a GP practice.",
     "All were registered within a month and several had long-standing conditions reviewed for the first time."),
    ("Coventry City Council Climate Team", "P8", "Warm Homes on one street",
     "A street of older terraced houses in {ward} received external wall insulation and heat pumps.",
     "Residents' energy bills fell and two homes moved from EPC band E to C."),
    ("Positive Youth Foundation", "P5", "A safe space on Friday nights",
     "Detached youth workers in {ward} opened a Friday evening session after concerns about anti-social behaviour.",
     "Around {n} young people attend each week and reported incidents nearby fell over the quarter."),
    ("Coventry Law Centre", "P4", "Eviction prevented",
     "A private tenant in {ward} with a no-fault eviction notice sought help at the housing rights clinic.",
     "The notice was found invalid and the tenant was helped to agree a repayment plan."),
]


def case_studies(w: World, p: Period, rng) -> dict:
    chosen = sorted(rng.choice(len(CASE_STUDIES), int(rng.integers(2, 5)), replace=False))
    wards = w.ward_names
    rows = []
    for i in chosen:
        partner, principle, title, summary, outcome = CASE_STUDIES[i]
        ward = wards[int(rng.integers(0, len(wards)))]
        n = int(rng.integers(8, 60)) if "{n} pounds" not in summary + outcome else int(rng.integers(15, 60)) * 100
        fill = {"ward": ward, "n": f"{n:,}"}
        rows.append((p.label, partner, title.format(**fill), principle, ward,
                     summary.format(**fill), outcome.format(**fill)))
    names = ["quarter", "partner_name", "title", "principle", "ward", "summary", "outcome"]
    return dict(zip(names, map(np.array, zip(*rows, strict=False)), strict=False))


TRUSTS = [("University Hospitals Coventry and Warwickshire NHS Trust", 5_200),
          ("Coventry and Warwickshire Partnership NHS Trust", 2_100)]


def wres(w: World, p: Period, rng) -> dict:
    """WRES indicator 2: white applicants are 1.2-1.8 times as likely to be appointed from shortlisting."""
    rows = []
    ratio = 1.65 - 0.05 * (p.start.year - 2020)
    for trust, shortlisted in TRUSTS:
        white = int(rng.poisson(shortlisted * 0.55))
        bme = int(rng.poisson(shortlisted * 0.45))
        rows.append((p.label, trust, "White", white, int(rng.binomial(white, 0.24))))
        rows.append((p.label, trust, "BME", bme, int(rng.binomial(bme, 0.24 / ratio))))
    return dict(zip(["financial_year", "trust", "ethnic_group", "shortlisted", "appointed"],
                    map(np.array, zip(*rows, strict=False)), strict=False))
