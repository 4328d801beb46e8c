"""SFTP pull from a partner's server (paramiko).

Connection (``transport.conn_id``): host, port, login, and password or extra ``private_key``
(PEM text); extra ``host_key`` is the server's public key as in known_hosts
(``ssh-ed25519 AAAA...``): an unknown or changed server key refuses the connection.

Files in ``remote_dir`` matching ``pattern`` are fetched once per size and modification time; for
one period only those matching ``period_pattern`` (e.g. ``admissions_{period}.csv``).
"""

from __future__ import annotations

import base64
import fnmatch
import io
import logging
import stat
from pathlib import Path

import paramiko

from marmot.contracts import Sftp
from marmot.land.transports.base import Landing, TransportError, connection, name_pattern

log = logging.getLogger(__name__)


def _private_key(conn_id: str, text: str) -> paramiko.PKey:
    for kind in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return kind.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise TransportError(f"connection '{conn_id}': extra 'private_key' is not an unencrypted "
                         "Ed25519, ECDSA or RSA private key")


def _client(conn) -> paramiko.SSHClient:
    extra = conn.extra_dejson
    if not extra.get("host_key"):
        raise TransportError(f"connection '{conn.conn_id}' needs extra 'host_key' (the server's public key, "
                             "as in known_hosts) so the server can be verified")
    key_type, key_data = extra["host_key"].split()[:2]
    port = int(conn.port or 22)
    client = paramiko.SSHClient()
    client.get_host_keys().add(conn.host if port == 22 else f"[{conn.host}]:{port}", key_type,
                               paramiko.PKey.from_type_string(key_type, base64.b64decode(key_data)))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    pkey = _private_key(conn.conn_id, extra["private_key"]) if extra.get("private_key") else None
    try:
        client.connect(conn.host, port=port, username=conn.login, password=conn.password or None, pkey=pkey,
                       look_for_keys=False, allow_agent=False, timeout=30)
    except (paramiko.SSHException, OSError) as exc:
        client.close()
        raise TransportError(f"SFTP connection '{conn.conn_id}' to {conn.host}:{port} failed: "
                             f"{type(exc).__name__}") from None
    return client


def pull(settings: Sftp, landing: Landing, period: str | None = None) -> list[Path]:
    conn = connection(settings.conn_id)
    remote_dir = settings.remote_dir.rstrip("/")
    pattern = name_pattern(settings, period)
    landed, matched = [], 0
    client = _client(conn)
    try:
        sftp = client.open_sftp()
        for attr in sorted(sftp.listdir_attr(remote_dir), key=lambda a: a.filename):
            if not stat.S_ISREG(attr.st_mode or 0) or not fnmatch.fnmatch(attr.filename, pattern):
                continue
            matched += 1
            remote = f"{remote_dir}/{attr.filename}"
            fingerprint = f"size={attr.st_size};mtime={attr.st_mtime}"
            if landing.seen(remote, fingerprint):
                continue
            with landing.partial(attr.filename) as tmp:
                sftp.get(remote, str(tmp))
                landed.append(landing.commit(tmp, attr.filename, remote, fingerprint))
            log.info("fetched sftp %s (%d bytes)", remote, attr.st_size)
    finally:
        client.close()
    if period and not matched:
        log.warning("no file for period %s in sftp %s (nothing matches %r)", period, remote_dir, pattern)
    return landed
