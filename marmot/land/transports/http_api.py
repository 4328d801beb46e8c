"""HTTP API pull: numbered pages of JSON or NDJSON, with a bearer token from an Airflow connection.

Connection (``transport.conn_id``): host (with or without ``https://``), port, schema (``http``
or ``https``, default https) and the token as password (or extra ``token``). Pages are
requested as ``<endpoint>?<page_param>=1,2,...`` until a page holds no records; a page is a
JSON array, an object whose ``records_key`` holds the array, or NDJSON. 429 waits for
Retry-After; 5xx and connection errors retry with exponential backoff. All pages land as one
NDJSON file named by its content hash, so unchanged data is not landed again.

One period (``period_param``, e.g. ``month``): every page request also carries
``<period_param>=<period>`` ('2025-04', '2024/25' as the contract's period_type writes it); the
file lands as ``<dataset>_<period>_<hash>.ndjson`` and is remembered per period, so the same period
with the same content is not landed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests

from marmot.contracts import HttpApi, period_slug
from marmot.land.transports.base import Landing, TransportError, connection

log = logging.getLogger(__name__)
MAX_WAIT_SECONDS = 300


def base_url(conn) -> str:
    host = (conn.host or "").rstrip("/")
    if "://" not in host:
        host = f"{conn.schema or 'https'}://{host}"
    return f"{host}:{conn.port}" if conn.port else host


def _retry_after(value: str | None, fallback: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return fallback
    try:
        return min(float(value), MAX_WAIT_SECONDS)
    except ValueError:
        try:
            return min(max(parsedate_to_datetime(value).timestamp() - time.time(), 0), MAX_WAIT_SECONDS)
        except (TypeError, ValueError):
            return fallback


def get_with_retries(session: requests.Session, url: str, params: dict, *, retries: int,
                     backoff: float) -> requests.Response:
    """GET ``url``: 429 waits for Retry-After, 5xx and connection errors retry with exponential backoff."""
    for attempt in range(retries + 1):
        wait = backoff * 2 ** attempt
        try:
            response = session.get(url, params=params, timeout=60)
        except requests.RequestException as exc:
            problem = type(exc).__name__
        else:
            if response.status_code == 200:
                return response
            problem = f"HTTP {response.status_code}"
            if response.status_code == 429:
                wait = _retry_after(response.headers.get("Retry-After"), wait)
            elif response.status_code < 500:
                hint = " (check the token in the connection)" if response.status_code in (401, 403) else ""
                raise TransportError(f"{url} {params} refused: {problem}{hint}")
        if attempt < retries:
            log.warning("%s %s: %s; retry %d/%d in %.1fs", url, params, problem, attempt + 1, retries, wait)
            time.sleep(wait)
    raise TransportError(f"{url} {params}: {problem} after {retries + 1} attempts")


def _records(response: requests.Response, records_key: str | None) -> list:
    text = response.text
    if "ndjson" in response.headers.get("Content-Type", "") or "jsonl" in response.headers.get("Content-Type", ""):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    body = json.loads(text) if text.strip() else []
    if records_key:
        body = body.get(records_key, []) if isinstance(body, dict) else body
    if not isinstance(body, list):
        raise TransportError(f"{response.url}: expected a JSON array of records"
                             + (f" under '{records_key}'" if records_key else ""))
    return body


def pull(settings: HttpApi, landing: Landing, period: str | None = None) -> list[Path]:
    conn = connection(settings.conn_id)
    token = conn.password or conn.extra_dejson.get("token")
    if not token:
        raise TransportError(f"connection '{conn.conn_id}' has no token (set it as the password)")
    url = base_url(conn) + settings.endpoint
    fixed = {"page_size": settings.page_size} if settings.page_size else {}  # sent with every page
    remote = f"{settings.conn_id}:{settings.endpoint}"
    name = landing.folder.name  # the dataset
    if period is not None:  # one period: its own memory and a file name that shows it
        fixed[settings.period_param] = period
        remote += f"?{settings.period_param}={period}"
        name += f"_{period_slug(period)}"
    digest, count, page = hashlib.sha256(), 0, 1
    with landing.partial(f"{name}.ndjson") as tmp:
        with requests.Session() as session, open(tmp, "wb") as out:
            session.headers["Authorization"] = f"Bearer {token}"
            while records := _records(get_with_retries(session, url, {settings.page_param: page, **fixed},
                                           retries=settings.max_retries, backoff=settings.backoff_seconds),
                                      settings.records_key):
                chunk = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
                out.write(chunk)
                digest.update(chunk)
                count += len(records)
                page += 1
        fingerprint = digest.hexdigest()
        what = f"{url} ({settings.period_param}={period})" if period is not None else url
        if count == 0 or landing.seen(remote, fingerprint):
            log.log(logging.WARNING if count == 0 and period is not None else logging.INFO, "%s: %s", what,
                    "no records" if count == 0 else "unchanged since the last pull")
            return []
        log.info("fetched %d records in %d pages from %s", count, page - 1, what)
        return [landing.commit(tmp, f"{name}_{fingerprint[:12]}.ndjson", remote, fingerprint)]
