"""The SQL NHS number check (modulus 11) agrees with the published algorithm on every kind of number."""

import random

import duckdb

from marmot.ingest.ingestor import nhs_mod11


def check_digit(number: str) -> int:
    """NHS Data Dictionary: 11 - (sum of digits 1-9 weighted 10..2, mod 11); 11 -> 0; 10 means invalid."""
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=False)) % 11
    return 0 if check == 11 else check


def valid_by_definition(number: str) -> bool:
    return check_digit(number) != 10 and check_digit(number) == int(number[9])


def test_sql_check_matches_the_definition():
    rng = random.Random(7)
    numbers = [f"{rng.randrange(10**10):010d}" for _ in range(20000)]
    numbers += ["9434765919", "9434765870", "4010232137", "0000000000", "1000000001"]
    con = duckdb.connect()
    got = con.execute(f"SELECT v, {nhs_mod11('v')} FROM unnest(?::VARCHAR[]) t(v)", [numbers]).fetchall()
    expected = {n: valid_by_definition(n) for n in numbers}
    assert {v: ok for v, ok in got} == expected
    # the sample holds valid numbers, invalid ones and ones whose remainder gives 10
    assert 0 < sum(expected.values()) < len(numbers)
    assert any(check_digit(n) == 10 for n in numbers)
