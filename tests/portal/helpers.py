"""Helpers of the portal tests: the users, signing in, extracts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from devtools.bench.portal import job_shop_csv
from marmot.portal import accounts
from marmot.settings import Paths

PASSWORD = "correct horse battery"
USERS = {"alice": "skills", "bob": "advice", "dana": None}  # partner A, partner B, the data team
A, B = "skills__job_shop_clients", "advice__advice_cases"


def make_users(paths: Paths, contracts) -> None:
    accounts.BCRYPT_ROUNDS = 4  # the tests' speed; the cost is bcrypt's, not ours
    for name, partner in USERS.items():
        accounts.add_user(paths, contracts, name, PASSWORD, accounts.PARTNER if partner else accounts.DATA_TEAM,
                          partner)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    """Sign ``client`` in; the response to the sign-in post."""
    form = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf_of(form.text)},
                       follow_redirects=False)


def upload(c, path: Path, dataset: str = A) -> tuple[str, str]:
    """Upload ``path`` to ``dataset`` from its page as a browser would; the upload page's path and text."""
    form = c.get(f"/datasets/{dataset}")
    r = c.post(f"/datasets/{dataset}/uploads", data={"csrf": csrf_of(form.text)},
               files={"file": (path.name, path.read_bytes(), "text/csv")})
    assert r.status_code == 200, r.text
    return str(r.url.path), r.text


def extract(tmp: Path, name: str = "job_shop_clients.csv", rows: int = 20, bad_rows: int = 0, **kw) -> Path:
    return job_shop_csv(tmp / name, rows, bad_rows=bad_rows, **kw)


def publish_metadata(paths: Paths, batch_ids: tuple[str, ...] = ()) -> None:
    """A stand-in publication (the real one needs every dataset built: tests/orchestration and tests/build publish
    it): the metadata mart with one indicator from A's dataset and one from another, the sources mart naming
    ``batch_ids``, and a manifest."""
    version = paths.published / "v1"
    version.mkdir(parents=True)
    with duckdb.connect(str(version / "marmot.duckdb")) as con:
        con.execute("CREATE TABLE mart_indicator_metadata (indicator_id VARCHAR, indicator_name VARCHAR, "
                    "principle_label VARCHAR, latest_period VARCHAR, source_partner VARCHAR, source_dataset VARCHAR)")
        con.execute("INSERT INTO mart_indicator_metadata VALUES "
                    "('P3_jobs', 'Job Shop clients supported into work', 'Fair work', '2025/26', 'skills', "
                    "'job_shop_clients'), ('P5_debt', 'Debt advice cases', 'Healthy standard of living', '2025', "
                    "'advice', 'advice_cases')")
        con.execute("CREATE TABLE mart_publication_sources (partner VARCHAR, dataset VARCHAR, batch_id VARCHAR)")
        for batch_id in batch_ids:
            con.execute("INSERT INTO mart_publication_sources VALUES ('skills', 'job_shop_clients', ?)", [batch_id])
    (version / "manifest.json").write_text(json.dumps({"version": "v1", "published_at": "2026-12-05T10:30:00+00:00"}))
    paths.current.symlink_to("v1")
