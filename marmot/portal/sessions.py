"""Signed-in sessions and what guards them: a random session id in a ``Secure`` (configurable for
http://127.0.0.1), ``HttpOnly``, ``SameSite=Strict`` cookie, kept server-side as its SHA-256 with a CSRF token
that every form posts back; sign-in throttling per user and address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from marmot.portal.accounts import User, get_user
from marmot.portal.store import connect
from marmot.settings import Paths

COOKIE = "marmot_portal_session"
LOGIN_CSRF_COOKIE = "marmot_portal_login"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(paths: Paths, user: User) -> tuple[str, Session]:
    """A new session: (the cookie's value, the session)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with connect(paths) as con:
        con.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
        con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                    (_hash(token), user.username, csrf, time.time() + SESSION_SECONDS))
    return token, Session(user, csrf)


def find(paths: Paths, token: str | None) -> Session | None:
    if not token:
        return None
    with connect(paths) as con:
        row = con.execute("SELECT username, csrf FROM sessions WHERE token_sha256 = ? AND expires > ?",
                          (_hash(token), time.time())).fetchone()
    if row is None:
        return None
    user = get_user(paths, row[0])
    return Session(user, row[1]) if user else None


def end(paths: Paths, token: str | None) -> None:
    if token:
        with connect(paths) as con:
            con.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_hash(token),))


def same(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def throttled(paths: Paths, username: str, ip: str) -> bool:
    """Whether ``username`` from ``ip`` failed ``MAX_FAILURES`` times within ``FAILURE_WINDOW_SECONDS``."""
    since = time.time() - FAILURE_WINDOW_SECONDS
    with connect(paths) as con:
        con.execute("DELETE FROM login_failures WHERE at < ?", (since,))
        (n,) = con.execute("SELECT count(*) FROM login_failures WHERE username = ? AND ip = ? AND at >= ?",
                           (username, ip, since)).fetchone()
    return n >= MAX_FAILURES


def failed(paths: Paths, username: str, ip: str) -> None:
    with connect(paths) as con:
        con.execute("INSERT INTO login_failures VALUES (?, ?, ?)", (username, ip, time.time()))


def succeeded(paths: Paths, username: str, ip: str) -> None:
    with connect(paths) as con:
        con.execute("DELETE FROM login_failures WHERE username = ? AND ip = ?", (username, ip))
