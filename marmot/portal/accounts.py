"""Portal accounts: users of a partner organisation (several per partner; the partner code is a contract file's
prefix, ``skills`` of ``skills__job_shop_clients.yml``) or of the data team, and one API token per partner.

Passwords are kept as bcrypt hashes; API tokens (32 random bytes) as their SHA-256, shown once when made."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import bcrypt

from marmot.contracts import Contract
from marmot.portal.store import connect
from marmot.settings import Paths

PARTNER = "partner"
DATA_TEAM = "data_team"
ROLES = (PARTNER, DATA_TEAM)
BCRYPT_ROUNDS = 12  # about 0.25 s a sign-in here
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further (bcrypt 5 refuses a longer one)
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
TOKEN_PREFIX = "mpt_"
_DUMMY_HASH = bcrypt.hashpw(b"timing only", bcrypt.gensalt(4))


class AccountError(ValueError):
    """A request the store refuses, in words for the person at the command line."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    partner: str | None  # None for the data team

    @property
    def is_data_team(self) -> bool:
        return self.role == DATA_TEAM


def partners(contracts: dict[str, Contract]) -> dict[str, str]:
    """partner code -> the organisation's name, from the contracts."""
    return {c.partner: c.partner_name for c in sorted(contracts.values(), key=lambda c: c.id)}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_password(password: str) -> bytes:
    raw = password.encode()
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise AccountError(f"a password may have at most {MAX_PASSWORD_BYTES} bytes")
    return raw


def hash_password(password: str) -> str:
    return bcrypt.hashpw(check_password(password), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def add_user(paths: Paths, contracts: dict[str, Contract], username: str, password: str, role: str,
             partner: str | None) -> User:
    if not USERNAME.fullmatch(username):
        raise AccountError("a user name is letters, digits and . _ @ - (at most 100)")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role == PARTNER and partner not in partners(contracts):
        raise AccountError(f"unknown partner {partner!r}: one of {', '.join(partners(contracts))}")
    if role == DATA_TEAM:
        partner = None
    hashed = hash_password(password)
    with connect(paths) as con:
        if con.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise AccountError(f"user {username!r} exists already (reset its password instead)")
        con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?)", (username, role, partner, hashed, _now()))
    return User(username, role, partner)


def remove_user(paths: Paths, username: str) -> None:
    with connect(paths) as con:
        if not con.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount:
            raise AccountError(f"no user {username!r}")
        con.execute("DELETE FROM sessions WHERE username = ?", (username,))


def reset_password(paths: Paths, username: str, password: str) -> None:
    """A new password; the user's sessions end."""
    hashed = hash_password(password)
    with connect(paths) as con:
        if not con.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hashed, username)).rowcount:
            raise AccountError(f"no user {username!r}")
        con.execute("DELETE FROM sessions WHERE username = ?", (username,))


def list_users(paths: Paths) -> list[User]:
    with connect(paths) as con:
        return [User(*row) for row in con.execute("SELECT username, role, partner FROM users ORDER BY username")]


def get_user(paths: Paths, username: str) -> User | None:
    with connect(paths) as con:
        row = con.execute("SELECT username, role, partner FROM users WHERE username = ?", (username,)).fetchone()
    return User(*row) if row else None


def authenticate(paths: Paths, username: str, password: str) -> User | None:
    """The user when the password is theirs. An unknown user costs the same bcrypt check (no timing tells)."""
    with connect(paths) as con:
        row = con.execute("SELECT username, role, partner, password_hash FROM users WHERE username = ?",
                          (username,)).fetchone()
    raw = password.encode()[:MAX_PASSWORD_BYTES]
    if row is None:
        bcrypt.checkpw(raw, _DUMMY_HASH)
        return None
    return User(*row[:3]) if bcrypt.checkpw(raw, row[3].encode()) else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_token(paths: Paths, contracts: dict[str, Contract], partner: str, name: str) -> str:
    """A new API token for ``partner`` (the one at most: an existing token of the partner is replaced); returned
    once, kept only as its SHA-256."""
    if partner not in partners(contracts):
        raise AccountError(f"unknown partner {partner!r}: one of {', '.join(partners(contracts))}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with connect(paths) as con:
        con.execute("DELETE FROM tokens WHERE partner = ? OR name = ?", (partner, name))
        con.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (_token_hash(token), name, partner, _now()))
    return token


def revoke_token(paths: Paths, name_or_partner: str) -> None:
    with connect(paths) as con:
        if not con.execute("DELETE FROM tokens WHERE name = ? OR partner = ?",
                           (name_or_partner, name_or_partner)).rowcount:
            raise AccountError(f"no token named {name_or_partner!r} or of that partner")


def list_tokens(paths: Paths) -> list[tuple[str, str, str]]:
    """(name, partner, created_at) of every token."""
    with connect(paths) as con:
        return list(con.execute("SELECT name, partner, created_at FROM tokens ORDER BY partner"))


def token_partner(paths: Paths, token: str) -> str | None:
    """The partner an API token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with connect(paths) as con:
        row = con.execute("SELECT partner FROM tokens WHERE token_sha256 = ?", (_token_hash(token),)).fetchone()
    return row[0] if row else None
