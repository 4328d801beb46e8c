"""OHID Fingertips pull: the public bulk CSV of some indicators, every period, in one file.

``GET <endpoint>?indicator_ids=<id,id,...>&child_area_type_id=502&parent_area_type_id=6`` (the
Fingertips API's ``all_data/csv/by_indicator_id``, as fingertipsR's ``retrieve_indicator`` calls it)
returns England, every parent area (type 6: regions) and every child area (type 502: upper-tier
local authorities from April 2023) for each indicator, one row per area, sex, age, category and
"Time period", with the columns the Fingertips exporter writes ("Indicator ID", ..., "Time period",
"Value", "Lower CI 95.0 limit", ..., "Value note", ...). The API needs no credentials; the
connection (``transport.conn_id``) only says where it is (host ``fingertips.phe.org.uk``, schema
https), so a test or a mirror can stand in. Retries as the HTTP API transport does (429 waits for
Retry-After, 5xx and connection errors back off). The file lands as
``fingertips_<hash>.csv`` and only when its content changed since the last pull.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import requests

from marmot.contracts import FingertipsApi
from marmot.land.transports.base import Landing, TransportError, connection
from marmot.land.transports.http_api import base_url, get_with_retries

log = logging.getLogger(__name__)
FIRST_COLUMN = b"Indicator ID"  # the Fingertips exporter's first heading


def pull(settings: FingertipsApi, landing: Landing, period: str | None = None) -> list[Path]:
    if period is not None:  # check_period refuses it first: the contract has no period setting
        raise TransportError("the Fingertips bulk CSV holds every period; it cannot be asked for one")
    url = base_url(connection(settings.conn_id)) + settings.endpoint
    params = {"indicator_ids": ",".join(map(str, settings.indicator_ids)),
              "child_area_type_id": settings.child_area_type_id,
              "parent_area_type_id": settings.parent_area_type_id}
    with requests.Session() as session:
        body = get_with_retries(session, url, params, retries=settings.max_retries,
                                backoff=settings.backoff_seconds).content
    if not body.lstrip(b"\xef\xbb\xbf").startswith(FIRST_COLUMN):
        raise TransportError(f"{url} {params}: not a Fingertips CSV (it does not start with "
                             f"{FIRST_COLUMN.decode()!r}); nothing landed")
    fingerprint = hashlib.sha256(body).hexdigest()
    remote = f"{settings.conn_id}:{settings.endpoint}?{params['indicator_ids']}"
    if landing.seen(remote, fingerprint):
        log.info("%s: unchanged since the last pull", url)
        return []
    name = f"{landing.folder.name}_{fingerprint[:12]}.csv"
    with landing.partial(name) as tmp:
        tmp.write_bytes(body)
        log.info("fetched %d bytes of %d indicators from %s", len(body), len(settings.indicator_ids), url)
        return [landing.commit(tmp, name, remote, fingerprint)]
