"""Rows for real contracts, and helpers to land them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

LSOAS = ["E01009522", "E01009523", "E01009524", "E01009525"]


def nhs_number(i: int) -> str:
    """The i-th valid NHS number (modulus 11 check digit) from 900000000 up."""
    n = 900_000_000 + i
    while True:
        digits = f"{n:09d}"
        check = 11 - sum((10 - k) * int(d) for k, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
        n += 1_000_000  # skip numbers that have no valid check digit, keep them distinct


BIRTHS_HEADER = ["Month", "NHS Number", "Baby Sequence", "Mother Age", "Mother Ethnicity", "LSOA",
                 "Gestation", "Birth Weight", "Outcome", "SATOD", "Breastfed 6-8 weeks"]


def birth(i: int, month: str = "2025-04", **overrides) -> dict:
    row = {"Month": month, "NHS Number": nhs_number(i), "Baby Sequence": "1", "Mother Age": "29",
           "Mother Ethnicity": "White", "LSOA": LSOAS[i % len(LSOAS)], "Gestation": "39",
           "Birth Weight": "3400", "Outcome": "live", "SATOD": "N", "Breastfed 6-8 weeks": "Y"}
    row.update(overrides)
    return row


CLAIMANT_HEADER = ["month", "lsoa21_code", "residents_16_64", "claimants", "claimants_12_months_plus",
                   "claimants_18_24"]


def claimant(i: int, month: str = "2025-04", **overrides) -> dict:
    row = {"month": month, "lsoa21_code": LSOAS[i % len(LSOAS)], "residents_16_64": "1000",
           "claimants": "40", "claimants_12_months_plus": "10", "claimants_18_24": "8"}
    row.update(overrides)
    return row


ADMISSIONS_HEADER = ["month", "nhs_number", "admission_sequence", "age", "sex", "lsoa21_code", "cause_group"]


def admission(i: int, month: str = "2025-04") -> dict:
    return {"month": month, "nhs_number": nhs_number(i), "admission_sequence": "1", "age": str(20 + i % 60),
            "sex": "MF"[i % 2], "lsoa21_code": LSOAS[i % len(LSOAS)], "cause_group": "other"}


def crime(i: int, month: str = "2025-04") -> dict:
    return {"month": month, "lsoa21_code": LSOAS[i % len(LSOAS)], "violence_offences": 3 + i,
            "racially_religiously_aggravated_offences": i % 2}


def ltc(i: int, quarter: str = "2025-Q1") -> dict:
    return {"quarter": quarter, "lsoa21_code": LSOAS[i % len(LSOAS)], "hypertension_register": 200 + i,
            "hypertension_at_target": 150, "registered_18_plus": 1500, "depression_register": 120}


def case_study(i: int, **overrides) -> dict:
    row = {"quarter": "2025-Q1", "partner_name": "Family Hubs", "title": f"Story {i}", "principle": "P1",
           "ward": "Foleshill", "summary": "What we did.", "outcome": "What changed."}
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], header: list[str] | None = None, *, encoding: str = "utf-8",
              delimiter: str = ",", lineterminator: str = "\r\n") -> bytes:
    header = header or list(rows[0])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator)
    w.writerow(header)
    w.writerows([[r.get(h, "") for h in header] for r in rows])
    return buf.getvalue().encode(encoding)


def land(landing: Path, partner: str, dataset: str, name: str, data: bytes) -> Path:
    path = landing / partner / dataset / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
