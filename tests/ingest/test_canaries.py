"""Canary identifiers planted in landed files of several contracts never appear anywhere but
the archive: not in the warehouse, rejects, ledger, receipts, claims or logs."""

from __future__ import annotations

import logging

from ingest.data import ADMISSIONS_HEADER, BIRTHS_HEADER, admission, birth, csv_bytes, land, nhs_number
from ingest.test_bad_input import PUPILS, parquet
from marmot.ingest.ingestor import Ingestor

NHS = [nhs_number(7001), nhs_number(7002), nhs_number(7003), nhs_number(7004)]
BAD_NHS = NHS[3][:9] + str((int(NHS[3][9]) + 1) % 10)  # fails modulus 11
UPNS = ["K123456789012", "K987654321098"]
NAMES = ["Philippa Canarywood", "Bartholomew Zzyzx"]
POSTCODES = ["CV9 9ZZ", "CV8 8QX"]


def test_canaries_only_ever_reach_the_archive(home, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    header = [*BIRTHS_HEADER, "Mother Name", "Postcode"]
    births = [
        {**birth(1), "NHS Number": NHS[0], "Mother Name": NAMES[0], "Postcode": POSTCODES[0]},
        {**birth(2), "NHS Number": NHS[1], "Mother Age": "7", "Mother Name": NAMES[1]},   # rejected row
        {**birth(1), "NHS Number": NHS[0], "Postcode": POSTCODES[1]},                       # repeated key
        {**birth(3), "NHS Number": BAD_NHS},                                                # bad check digit
    ]
    land(home.landing, "maternity", "births", "births.csv", csv_bytes(births, header))
    land(home.landing, "maternity", "births", "no_lsoa.csv",  # quarantined: a required column missing
         csv_bytes([{**birth(4), "NHS Number": NHS[2], "Mother Name": NAMES[0]}], [*BIRTHS_HEADER[:5], "Mother Name"]))
    admissions = [{**admission(1), "nhs_number": NHS[2]}, {**admission(2), "nhs_number": NHS[1], "age": "old"}]
    land(home.landing, "hospital", "admissions", "adm.csv", csv_bytes(admissions, ADMISSIONS_HEADER))
    pupils = [{**PUPILS[0], "upn": UPNS[0], "pupil_name": NAMES[1]}, {**PUPILS[1], "upn": UPNS[1], "suspensions": -1}]
    land(home.landing, "schools", "pupil_census", "pupils.parquet", parquet(pupils))

    entries = {e.original_name: e for e in Ingestor(home).run()}
    assert {n: e.status for n, e in entries.items()} == {
        "births.csv": "accepted_with_warnings", "no_lsoa.csv": "quarantined",
        "adm.csv": "accepted_with_warnings", "pupils.parquet": "accepted_with_warnings"}
    assert {r["code"] for r in entries["births.csv"].reasons} >= {"out_of_range", "duplicate_key", "bad_check_digit"}

    canaries = [*NHS, BAD_NHS, *UPNS, *NAMES, *POSTCODES]
    out, err = capfd.readouterr()
    logs = caplog.text + out + err
    checked = []
    for path in sorted(home.home.rglob("*")):
        if path.is_file() and home.archive not in path.parents:
            data = path.read_bytes()
            checked.append(path.relative_to(home.home).parts[0])
            for canary in canaries:
                assert canary.encode() not in data, f"{canary} found in {path}"
    for canary in canaries:
        assert canary not in logs, f"{canary} found in the logs"
    assert {"warehouse", "ledger", "receipts"} <= set(checked)
    assert len(list((home.rejects).rglob("*.parquet"))) == 3  # rejected rows were written, without identifiers
    archived = b"".join(p.read_bytes() for p in home.archive.rglob("*") if p.is_file())
    # the archive keeps the originals
    assert all(c.encode() in archived for c in [*NHS[:3], BAD_NHS, *NAMES, *POSTCODES])
