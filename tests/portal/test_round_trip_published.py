"""The partner's round trip to the real publication, on a home built by real dbt (``dbt_built``): a corrected Job
Shop extract uploaded through the portal (uvicorn on 127.0.0.1) lands, ``marmot run`` ingests it, builds what
changed, validates and publishes; the upload's page then names the published version that includes it and the
indicators made from it, and the published catalogue lists the file as a source of that version."""

from __future__ import annotations

import json
import re

import duckdb
import httpx
from conftest import TEST_KEY, copy_home

from devtools.bench.portal import serving
from marmot.cli import main
from marmot.ingest import ledger
from marmot.portal.app import create_app
from portal.helpers import PASSWORD, csrf_of, extract, make_users, upload


def test_an_upload_is_followed_to_the_publication_that_includes_it(dbt_built, contracts, tmp_path, monkeypatch):
    home = copy_home(dbt_built, tmp_path)
    monkeypatch.setenv("MARMOT_HOME", str(home.home))
    monkeypatch.setenv("MARMOT_PSEUDONYM_KEY", TEST_KEY)
    make_users(home, contracts)
    before = {e.batch_id for e in ledger.read_all(home.ledger, "skills", "job_shop_clients")}
    with serving(create_app(home, contracts, secure_cookies=False)) as base, \
            httpx.Client(base_url=base, timeout=60, follow_redirects=True) as c:
        login = c.get("/login")
        c.post("/login", data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(login.text)})
        # a full year's resubmission of 2025/26: it replaces the year's earlier delivery
        where, page = upload(c, extract(tmp_path, "job_shop_2025-26_corrected.csv", rows=950, period="2025/26"))
        assert "Every row passes the checks." in page and "It restates 950 rows where" in page
        page = c.post(f"{where}/send", data={"csrf": csrf_of(page)}).text  # the partner confirms the replacement
        assert "Waiting for it to be loaded" in page

        assert main(["run"]) == 0  # ingest, build, validate, publish: the real stages

        page = c.get(where).text
        assert "Accepted" in page and "950 rows loaded, 0 rows rejected" in page
        (entry,) = [e for e in ledger.read_all(home.ledger, "skills", "job_shop_clients") if e.batch_id not in before]
        published = re.search(r"The published indicators include this file since the version of "
                              r"([0-9-]+ [0-9:]+) UTC \(([^)]+)\): (.+?)</p>", page)
        assert published, page
        manifest = json.loads((home.current / "manifest.json").read_text())
        assert published.group(2) == manifest["version"] == home.current.resolve().name
        with duckdb.connect(str(home.current / "marmot.duckdb"), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM mart_publication_sources WHERE batch_id = ?",
                               [entry.batch_id]).fetchone()[0] == 1
            names = [n for (n,) in con.execute(
                "SELECT indicator_name FROM mart_indicator_metadata WHERE source_partner = 'skills' "
                "AND source_dataset = 'job_shop_clients' ORDER BY indicator_id").fetchall()]
        assert names and all(name in published.group(3) for name in names)
        assert "Not in the published indicators yet" not in page and '<meta http-equiv="refresh"' not in page


def test_a_publication_held_back_by_the_quality_checks_is_explained(portal_home, contracts, tmp_path):
    """The make-up case: one partner's file in a new home is loaded and built, and the real quality checks stop the
    publication (seven of the eight principles have no data); the file passed its own checks. The page says the
    publication is held back, that the problem is elsewhere and that nothing is asked of the partner."""
    with serving(create_app(portal_home, contracts, secure_cookies=False)) as base, \
            httpx.Client(base_url=base, timeout=60, follow_redirects=True) as c:
        login = c.get("/login")
        c.post("/login", data={"username": "alice", "password": PASSWORD, "csrf": csrf_of(login.text)})
        where, _ = upload(c, extract(tmp_path, "clients.csv", rows=20))
        assert main(["ingest"]) == 0 and main(["build"]) == 0
        assert "the next publication, which starts by itself" in c.get(where).text
        assert main(["validate"]) == 2  # blocked
        page = c.get(where).text
        assert "Loaded, publication held back" in page
        assert "this file passed its own checks, so the problem is elsewhere" in page and "you need do nothing." in page
        assert '<meta http-equiv="refresh" content="15">' in page
