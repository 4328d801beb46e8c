"""Helpers of the portal tests: the users, signing in, extracts."""

from __future__ import annotations

import re
from pathlib import Path

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


def extract(tmp: Path, name: str = "job_shop_clients.csv", rows: int = 20, bad_rows: int = 0, **kw) -> Path:
    return job_shop_csv(tmp / name, rows, bad_rows=bad_rows, **kw)
