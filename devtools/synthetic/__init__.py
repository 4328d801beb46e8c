"""Synthetic partner extracts for demos, tests and benchmarks (no real partner data exists here).

``generate`` writes, for every contract in ``ingestion/contracts/``, the files that partner
would send: ``<out>/<partner>/<dataset>/synthetic_<dataset>_<period>.<ext>``, one per period
at the contract's cadence (see ``periods``), in the contract's first format, with partners'
header spellings. All record-level data are drawn from one population model (``population``):
real Coventry LSOAs and IMD 2025 deciles, ~1,750 residents per LSOA, deprivation gradients
in every outcome.

``scale`` multiplies the population, so every per-area count and every record-level file
grows in proportion while areas, periods and files stay the same (ingest only accepts
Coventry's LSOAs, so "more cities" would be rejected rows). ``dirty`` damages about that
share of the files with one realistic fault each and lists them in ``_faults.json``.

Every file name starts with ``synthetic_`` so lineage marks all views built from it as
synthetic demo data. The same seed gives byte-identical files; each dataset and period has
its own random stream, so adding a dataset or a year never changes the others.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from devtools.synthetic import boundaries, economy, education, faults, fingertips, health, partnership, places
from devtools.synthetic.geography import load_areas
from devtools.synthetic.periods import TODAY, Period, periods_for
from devtools.synthetic.population import World, stream
from devtools.synthetic.writers import serialise, to_csv
from marmot.contracts import Contract, load_contracts

GENERATORS = {
    "advice/advice_cases": economy.advice_cases,
    "census/households_2021": places.households_2021,
    "climate/air_quality": places.air_quality,
    "climate/epc_certificates": places.epc_certificates,
    "council/residents_survey": places.residents_survey,
    "dwp/children_low_income": economy.children_low_income,
    "dwp/claimant_count": economy.claimant_count,
    "early_years/eyfsp": education.eyfsp,
    "early_years/funded_two_year_olds": education.funded_two_year_olds,
    "family_hubs/parenting_survey": places.parenting_survey,
    "hospital/admissions": health.admissions,
    "housing/homelessness_cases": economy.homelessness_cases,
    "icb/long_term_conditions": health.long_term_conditions,
    "maternity/births": health.births,
    "ohid/fingertips": fingertips.fingertips,
    "ons/deaths": health.deaths,
    "ons/population": health.population,
    "ons/ward_boundaries": boundaries.ward_boundaries,
    "partnership/activity_returns": partnership.activity_returns,
    "partnership/case_studies": partnership.case_studies,
    "police/recorded_crime": places.recorded_crime,
    "police/stop_search": places.stop_search,
    "public_health/ncmp": health.ncmp,
    "public_health/treatment_exits": health.treatment_exits,
    "schools/ks2_results": education.ks2,
    "schools/ks4_results": education.ks4,
    "schools/pupil_census": education.pupil_census,
    "skills/job_shop_clients": economy.job_shop_clients,
    "skills/neet_tracking": education.neet_tracking,
    "workforce/wres": partnership.wres,
}

# partners' own header spellings (each is the contract name or one of its aliases, modulo case/spacing)
HEADERS = {
    "early_years/eyfsp": {"upn": "UPN", "date_of_birth": "DOB", "sex": "Gender", "lsoa21_code": "LSOA",
                          "fsm_eligible": "FSM", "ethnicity_group": "Ethnicity", "gld": "GLD",
                          "academic_year": "Academic Year"},
    "early_years/funded_two_year_olds": {"academic_year": "Academic Year", "lsoa21_code": "LSOA Code",
                                         "eligible_children": "Number Eligible",
                                         "children_taking_place": "Funded Places Taken"},
    "census/households_2021": {"year": "Year", "lsoa21_code": "LSOA21CD", "households": "Households",
                               "overcrowded_households": "Occupancy Rating Minus 1 Or Less",
                               "residents_16_plus": "Residents 16 Plus",
                               "residents_no_qualifications": "No Qualifications"},
    "ons/population": {"year": "YEAR", "lsoa21_code": "LSOA21CD", "sex": "SEX", "age": "AGE",
                       "population": "POPULATION"},
    "ons/deaths": {"month": "Reporting Month", "death_id": "Registration ID", "sex": "Sex",
                   "age": "Age At Death", "lsoa21_code": "LSOA21CD", "cause_category": "Underlying Cause Category"},
    "maternity/births": {"month": "Period", "mother_nhs_number": "Mother NHS No", "baby_sequence": "Birth Order",
                         "mother_age": "Maternal Age", "mother_ethnicity_group": "Maternal Ethnicity",
                         "lsoa21_code": "LSOA of Residence", "gestation_weeks": "Gestation",
                         "birth_weight_grams": "Birthweight_g", "birth_outcome": "Outcome",
                         "smoking_at_delivery": "SATOD", "breastfed_6_8_weeks": "Feeding 6-8 Weeks"},
    "hospital/admissions": {"month": "MONTH", "nhs_number": "NHS_NO", "admission_sequence": "SPELL_NUMBER",
                            "age": "AGE", "sex": "GENDER", "lsoa21_code": "LSOA_CODE", "cause_group": "CAUSE"},
    "police/recorded_crime": {"lsoa21_code": "lsoa_code", "violence_offences": "violence_against_the_person",
                              "racially_religiously_aggravated_offences": "hate_offences"},
    "police/stop_search": {"month": "Month", "ethnicity_group": "Ethnicity", "searches": "Searches",
                           "resident_population": "Population"},
    "dwp/claimant_count": {"month": "Month", "lsoa21_code": "LSOA21CD", "residents_16_64": "Population 16-64",
                           "claimants": "Claimant Count", "claimants_12_months_plus": "Long Term Claimants",
                           "claimants_18_24": "Claimants 18-24"},
    "dwp/children_low_income": {"financial_year": "Financial Year", "lsoa21_code": "LSOA",
                                "children_under_16": "Children", "children_relative_low_income": "Relative Low Income",
                                "children_absolute_low_income": "Absolute Low Income"},
    "climate/air_quality": {"lsoa21_code": "lsoa21cd", "pm25_ugm3": "pm25", "no2_ugm3": "no2"},
    "workforce/wres": {"financial_year": "Financial Year", "trust": "Trust", "ethnic_group": "Ethnic Group",
                       "shortlisted": "Shortlisted", "appointed": "Appointed"},
    "ohid/fingertips": fingertips.HEADERS,
}
FILE_STEMS = {"early_years/eyfsp": "eyfsp_pupil_level", "census/households_2021": "census_households"}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet", "json": "json", "ndjson": "ndjson"}
# reference boundaries: one GeoJSON file (the ONS download), never damaged by --dirty
GEOJSON = {"ons/ward_boundaries"}
# datasets sent as one file: the Census (Census day) and the Fingertips bulk CSV (every period, pulled once)
ONE_FILE = {"census/households_2021": Period("2021", date(2021, 3, 21), date(2021, 3, 21)),
            "ohid/fingertips": Period(TODAY.isoformat(), TODAY, TODAY),
            "ons/ward_boundaries": Period("2024", date(2024, 12, 1), date(2024, 12, 31))}

README = """SYNTHETIC DEMO DATA - NOT REAL PARTNER DATA
============================================

Written by `python -m devtools generate --scale {scale} --years {years} --seed {seed}{dirty}` as of {today}.

Every file here is invented. It imitates what the Marmot City partners send (one folder per
partner dataset, one file per reporting period, in each contract's format and with partners'
own header spellings) so that the platform can be demonstrated, tested and benchmarked
without any real personal or partner data. The LSOA codes and their IMD 2025 deciles are
real; the LSOA-to-ward lookup, every person, NHS number, pupil number, count and case study
are synthetic. File names start with 'synthetic_' so that everything built from them is
labelled synthetic demo data.
{faults}"""


def dataset_name(c: Contract) -> str:
    return f"{c.partner}/{c.dataset}"


def file_periods(c: Contract, years: int) -> list[Period]:
    if dataset_name(c) in ONE_FILE:
        return [ONE_FILE[dataset_name(c)]]
    return periods_for(c.schedule, years)


def _choose_faults(plan: list[tuple[Contract, Period]], rate: float, seed: int) -> dict[int, str]:
    """About ``rate`` of the files; faults taken in turn from a seeded order, skipping any that
    cannot apply to a file (e.g. a ';' delimiter in Parquet), so every kind gets used."""
    if rate <= 0:
        return {}
    rng = stream(seed, "faults")
    k = min(len(plan), max(1, round(rate * len(plan))))
    chosen = sorted(rng.choice(len(plan), k, replace=False).tolist())
    order = [faults.FAULTS[i] for i in rng.permutation(len(faults.FAULTS))]
    picked, turn = {}, 0
    for i in chosen:
        c = plan[i][0]
        if dataset_name(c) in GEOJSON:
            continue
        for step in range(len(order)):
            name = order[(turn + step) % len(order)]
            if faults.applicable(name, c, c.formats[0]):
                picked[i], turn = name, turn + step + 1
                break
    return picked


def generate(out: Path, *, scale: float = 1.0, years: int = 3, seed: int = 42, dirty: float = 0.0,
             datasets: list[str] | None = None) -> list[Path]:
    """Write every dataset's extracts under ``out/<partner>/<dataset>/``; return the data files.

    ``datasets`` limits the run to some ``partner/dataset`` names (e.g. for a fast test).
    """
    if scale <= 0 or years < 1 or not 0 <= dirty <= 1:
        raise ValueError("scale must be > 0, years >= 1 and dirty between 0 and 1")
    contracts = {dataset_name(c): c for c in load_contracts().values()}
    if missing := set(contracts) - set(GENERATORS):
        raise RuntimeError(f"no synthetic generator for {sorted(missing)}")
    if datasets is not None and (unknown := set(datasets) - set(contracts)):
        raise ValueError(f"unknown datasets {sorted(unknown)}")
    world = World(load_areas(), seed, scale)
    plan = [(c, p) for name, c in sorted(contracts.items()) if datasets is None or name in datasets
            for p in file_periods(c, years)]
    chosen = _choose_faults(plan, dirty, seed)
    written, manifest = [], []
    for i, (c, period) in enumerate(plan):
        name = dataset_name(c)
        table = GENERATORS[name](world, period, stream(seed, name, period.label))
        fault = chosen.get(i)
        path, outcome = _write(out, c, period, table, fault, seed)
        written.append(path)
        if fault:
            manifest.append({"file": str(path.relative_to(out)), "partner": c.partner, "dataset": c.dataset,
                             "fault": fault, "expected_status": outcome.status, "expected_codes": outcome.codes,
                             "detail": outcome.detail})
    _write_notes(out, scale=scale, years=years, seed=seed, dirty=dirty, manifest=manifest)
    return written


def _write(out: Path, c: Contract, period: Period, table: dict, fault: str | None, seed: int):
    name = dataset_name(c)
    fmt = c.formats[0]
    outcome = None
    if fault:
        table, outcome = faults.apply_to_table(fault, c, table, stream(seed, "fault", name, period.slug))
    headers = [HEADERS.get(name, {}).get(col, col) for col in table]
    if fault:
        headers = faults.apply_to_headers(fault, headers)
    named = dict(zip(headers, table.values(), strict=False))
    if name in GEOJSON:
        data = boundaries.to_geojson(named)
    elif fault == "semicolon":
        data = to_csv(named, delimiter=";")
    else:
        data = serialise(named, fmt, sheet=c.transport.sheet, title=f"{c.title} - {period.label} (synthetic)")
    if fault:
        data = faults.apply_to_bytes(fault, data)
    stem = FILE_STEMS.get(name, c.dataset)
    extension = "geojson" if name in GEOJSON else EXTENSIONS[fmt]
    path = out / c.partner / c.dataset / f"synthetic_{stem}_{period.slug}.{extension}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, outcome


def _write_notes(out: Path, *, scale, years, seed, dirty, manifest) -> None:
    out.mkdir(parents=True, exist_ok=True)
    listed = "".join(f"  {m['file']}: {m['fault']} -> expect {m['expected_status']}\n" for m in manifest)
    (out / "README_SYNTHETIC.txt").write_text(README.format(
        scale=scale, years=years, seed=seed, today=TODAY.isoformat(),
        dirty=f" --dirty {dirty}" if dirty else "",
        faults=(f"\nDeliberately faulty files (--dirty; details in _faults.json):\n{listed}" if manifest else ""),
    ), encoding="utf-8", newline="\n")
    faults_file = out / "_faults.json"
    if dirty:
        faults_file.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    elif faults_file.exists():
        faults_file.unlink()
