"""The pseudonym computed in SQL is exactly HMAC-SHA256 with the key (checked against Python's hmac)."""

import hashlib
import hmac

import duckdb
import pytest

from marmot.ingest.ingestor import register_pseudonym


@pytest.mark.parametrize("key", [b"a-sixteen-byte-key", b"k" * 64, b"a key longer than the 64-byte block " * 3])
@pytest.mark.parametrize("key_from", ["in-memory file", "query parameter"])
def test_sql_pseudonym_is_hmac_sha256(key, key_from, monkeypatch):
    if key_from == "query parameter":  # as where the system has no memfd
        monkeypatch.delattr("os.memfd_create")
    values = ["9434765919", "H331159118822", "", "£ and é", None]
    con = duckdb.connect()
    register_pseudonym(con, key)
    got = [r[0] for r in con.execute("SELECT pseudonym(v) FROM unnest(?::VARCHAR[]) WITH ORDINALITY t(v, i) ORDER BY i",
                                     [values]).fetchall()]
    assert got == [None if v is None else hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values]
    other = duckdb.connect()
    register_pseudonym(other, key + b"!")
    assert other.execute("SELECT pseudonym('9434765919')").fetchone()[0] != got[0]  # another key, another pseudonym
