"""A partner's whole round trip against a real server (uvicorn on a free 127.0.0.1 port): sign in, upload a file
with mistakes, read the pre-check, fix it, upload again, it lands; ``marmot ingest`` loads it and the partner's
pages show the receipt, then that it is published. And the pre-check is ingest's own: a file sent with rejected
rows gets from ingest exactly the counts and reasons the pre-check showed, and its rejected rows download as CSV."""

from __future__ import annotations

import csv
import io
import os
import re

import httpx
import pytest
from markupsafe import escape

from devtools.bench.portal import serving
from marmot.cli import main
from marmot.ingest import ledger
from marmot.portal import audit, uploads
from marmot.portal.app import create_app
from portal.helpers import PASSWORD, A, csrf_of, extract, publish_metadata, upload


@pytest.fixture
def browser_like(portal_home, contracts):
    with serving(create_app(portal_home, contracts, secure_cookies=False)) as base, \
            httpx.Client(base_url=base, timeout=60, follow_redirects=True) as c:
        login = c.get("/login")
        r = c.post("/login", data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(login.text)})
        assert r.status_code == 200 and "Job Shop and Youth Hub clients" in r.text  # followed to /datasets
        yield c


def test_mistakes_shown_fixed_landed_ingested_and_the_receipt_seen(browser_like, portal_home, tmp_path):
    c = browser_like
    landing = portal_home.landing / "skills" / "job_shop_clients"
    where, page = upload(c, extract(tmp_path, "clients.csv", rows=20, bad_rows=3))
    assert "20 rows: 17 would load, 3 would be rejected" in page
    problems = uploads.load(portal_home, where.rsplit("/", 1)[1]).precheck["problems"]
    assert "bad_pattern" in {p["code"] for p in problems} and "What to do:" in page
    assert all(str(escape(p["message"])) in page for p in problems)
    assert not landing.exists()  # not sent: the partner fixes the file instead

    where, page = upload(c, extract(tmp_path, "clients.csv", rows=20))
    assert "Every row passes the checks." in page and "Waiting for it to be loaded" in page
    assert '<meta http-equiv="refresh"' in page
    (landed,) = os.listdir(landing)
    assert landed.endswith("_clients.csv")

    assert main(["ingest"]) == 0
    page = c.get(where).text
    assert "Accepted: every row loaded." in page and "20 rows loaded, 0 rows rejected" in page
    assert '<meta http-equiv="refresh" content="2">' not in page  # loaded: only the wait for publication is left
    receipt = re.search(r'href="(/datasets/[^"]+/receipt)"', page).group(1)
    r = c.get(receipt)
    assert r.status_code == 200 and landed in r.text
    status = c.get(f"/datasets/{A}").text
    assert landed in status and ">accepted<" in status and receipt in status
    assert "Not in the published indicators yet" in page and '<meta http-equiv="refresh" content="15">' in page

    (entry,) = ledger.read_all(portal_home.ledger, "skills", "job_shop_clients")
    publish_metadata(portal_home, batch_ids=(entry.batch_id,))  # the next publication is made from it
    page = c.get(where).text
    assert "The published indicators include this file since the version of 2026-12-05 10:30 UTC (v1): Job Shop " \
           "clients supported into work (latest period 2025/26)." in page
    assert "Not in the published indicators yet" not in page and '<meta http-equiv="refresh"' not in page


def test_the_pre_check_is_what_ingest_then_finds(browser_like, portal_home, tmp_path):
    c = browser_like
    where, page = upload(c, extract(tmp_path, "with_mistakes.csv", rows=30, bad_rows=4))
    r = c.post(f"{where}/send", data={"csrf": csrf_of(page)})
    assert r.status_code == 200 and "Waiting for it to be loaded" in r.text
    assert main(["ingest"]) == 0
    upload_record = uploads.load(portal_home, where.rsplit("/", 1)[1])
    (entry,) = ledger.read_all(portal_home.ledger, "skills", "job_shop_clients")
    pre = upload_record.precheck
    assert (entry.status, entry.rows_in, entry.rows_loaded, entry.rows_rejected) == (
        pre["status"], pre["rows_in"], pre["rows_loaded"], pre["rows_rejected"]) == (
        "accepted_with_warnings", 30, 26, 4)
    assert [(r["code"], r["column"], r["message"], r["fix"]) for r in entry.reasons] == [
        (r["code"], r["column"], r["message"], r["fix"]) for r in pre["problems"]]
    page = c.get(where).text
    assert "26 rows loaded, 4 rows rejected" in page
    rejected = re.search(r'href="(/datasets/[^"]+/rejected\.csv)"', page).group(1)
    rows = list(csv.DictReader(io.StringIO(c.get(rejected).text)))
    shown = sorted({r["row"] for r in pre["rejects"]})
    assert sorted({int(r["row_number"]) for r in rows}) == shown == [2, 3, 4, 5]  # lines of the file: 1 is the header
    events = [e["event"] for e in audit.read(portal_home)]
    assert {"login_success", "upload", "landed", "download_rejected_rows"} <= set(events)

