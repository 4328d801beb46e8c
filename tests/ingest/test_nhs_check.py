"""The SQL NHS number check (modulus 11) agrees with the published algorithm on every kind of number."""

import random

import duckdb

from marmot.ingest import _nhs_mod11


def valid_by_definition(number: str) -> bool:
    """NHS Data Dictionary: weights 10..2 on digits 1-9; check = 11 - (sum mod 11); 11 -> 0; 10 = invalid."""
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def test_sql_check_matches_the_definition():
    rng = random.Random(7)
    numbers = [f"{rng.randrange(10**10):010d}" for _ in range(20000)]
    numbers += ["9434765919", "9434765870", "4010232137", "0000000000", "1000000001"]
    con = duckdb.connect()
    got = con.execute(f"SELECT v, {_nhs_mod11('v')} FROM unnest(?::VARCHAR[]) t(v)", [numbers]).fetchall()
    expected = {n: valid_by_definition(n) for n in numbers}
    assert {v: ok for v, ok in got} == expected
    # the sample holds valid numbers, invalid ones and ones whose remainder gives 10
    assert 0 < sum(expected.values()) < len(numbers)
    assert any(11 - sum(int(d) * w for d, w in zip(n[:9], range(10, 1, -1))) % 11 == 10 for n in numbers)
