"""Signing in and out: bcrypt at rest, the session cookie's attributes, CSRF on every form, throttling after five
failures per user and address, and an audit line for every sign-in, good or bad."""

from __future__ import annotations

import json
import sqlite3

from fastapi.testclient import TestClient

from marmot.cli import main
from marmot.portal import accounts, audit
from marmot.portal.app import create_app
from marmot.portal.sessions import COOKIE
from marmot.portal.store import store_path
from portal.helpers import PASSWORD, A, csrf_of, sign_in


def test_passwords_and_tokens_are_stored_hashed(portal_home, contracts):
    token = accounts.add_token(portal_home, contracts, "skills", "skills-api")
    raw = store_path(portal_home).read_bytes() + b"".join(p.read_bytes() for p in portal_home.portal.glob("*-wal"))
    assert PASSWORD.encode() not in raw and token.encode() not in raw
    with sqlite3.connect(store_path(portal_home)) as con:
        hashes = [h for (h,) in con.execute("SELECT password_hash FROM users")]
    assert all(h.startswith("$2b$") for h in hashes) and len(hashes) == 3
    assert accounts.token_partner(portal_home, token) == "skills"
    assert accounts.token_partner(portal_home, token + "x") is None
    assert oct(store_path(portal_home).stat().st_mode & 0o777) == "0o600"


def test_a_session_cookie_is_httponly_strict_and_secure_unless_switched_off(portal_home, contracts):
    with TestClient(create_app(portal_home, contracts, secure_cookies=True), base_url="https://testserver") as c:
        r = sign_in(c, "alice")
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
        assert c.get("/datasets").status_code == 200
    with TestClient(create_app(portal_home, contracts, secure_cookies=False)) as c:
        cookie = next(v for k, v in sign_in(c, "alice").headers.multi_items() if v.startswith(COOKIE))
        assert "Secure" not in cookie and "HttpOnly" in cookie


def test_sign_in_out_and_the_audit_log(client, portal_home):
    assert sign_in(client, "alice", "wrong password!").status_code == 401
    r = sign_in(client, "alice")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/", follow_redirects=False).headers["location"] == "/datasets"
    page = client.get("/datasets")
    assert client.post("/logout", data={"csrf": "forged"}, follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    assert client.get("/datasets", follow_redirects=False).headers["location"] == "/login"
    events = [(e["event"], e["user"]) for e in audit.read(portal_home)]
    assert events == [("logout", "alice"), ("login_success", "alice"), ("login_failure", "alice")]
    lines = audit.audit_path(portal_home).read_text().splitlines()
    assert all(json.loads(line)["ip"] == "testclient" for line in lines)


def test_an_ended_session_cookie_is_worth_nothing(client):
    sign_in(client, "alice")
    stolen = client.cookies.get(COOKIE)
    client.post("/logout", data={"csrf": csrf_of(client.get("/datasets").text)})
    client.cookies.set(COOKIE, stolen)
    assert client.get("/datasets", follow_redirects=False).status_code == 303


def test_a_form_without_the_sessions_csrf_token_is_refused(client):
    sign_in(client, "alice")
    r = client.post(f"/datasets/{A}/uploads", data={"csrf": "guess"}, files={"file": ("x.csv", b"a,b\n1,2\n")})
    assert r.status_code == 403 and "expired" in r.text
    # and the sign-in form needs its own cookie's token (a cross-site login is refused)
    fresh = TestClient(client.app)
    r = fresh.post("/login", data={"username": "alice", "password": PASSWORD, "csrf": "x"}, follow_redirects=False)
    assert r.status_code == 403


def test_five_failures_per_user_and_address_then_429_even_with_the_right_password(client, portal_home):
    for _ in range(5):
        assert sign_in(client, "alice", "not the password").status_code == 401
    r = sign_in(client, "alice")
    assert r.status_code == 429 and r.headers["content-type"].startswith("text/plain")
    assert "Wait 15 minutes" in r.text
    assert sign_in(client, "bob").status_code == 303  # another user from the same address is not locked out
    assert ("login_throttled", "alice") in [(e["event"], e["user"]) for e in audit.read(portal_home)]


def test_the_command_line_manages_users_and_tokens(portal_home, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long enough password\n"))
    assert main(["portal", "users", "add", "carol", "--partner", "skills", "--password-stdin"]) == 0
    assert accounts.authenticate(portal_home, "carol", "a long enough password").partner == "skills"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("short\n"))
    assert main(["portal", "users", "reset", "carol", "--password-stdin"]) == 1
    assert "at least 12" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("x\n"))
    assert main(["portal", "users", "add", "eve", "--partner", "nobody", "--password-stdin"]) == 1
    assert main(["portal", "tokens", "add", "skills"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert accounts.token_partner(portal_home, token) == "skills"
    assert main(["portal", "tokens", "revoke", "skills"]) == 0
    assert accounts.token_partner(portal_home, token) is None
    assert main(["portal", "users", "remove", "carol"]) == 0
    assert accounts.get_user(portal_home, "carol") is None
