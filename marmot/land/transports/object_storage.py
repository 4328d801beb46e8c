"""S3-compatible object storage pull (s3fs).

Connection (``transport.conn_id``): login = access key id, password = secret access key,
extra ``endpoint_url`` (for non-AWS stores) and ``region_name``. Objects under
``bucket/prefix`` matching ``pattern`` are fetched once per ETag; for one period only those
matching ``period_pattern`` (e.g. ``ltc_{period}.parquet``).
"""

from __future__ import annotations

import fnmatch
import logging
from pathlib import Path

import s3fs

from marmot.contracts import ObjectStorage
from marmot.land.transports.base import Landing, TransportError, connection, name_pattern

log = logging.getLogger(__name__)


def pull(settings: ObjectStorage, landing: Landing, period: str | None = None) -> list[Path]:
    conn = connection(settings.conn_id)
    extra = conn.extra_dejson
    client_kwargs = {k: extra[k] for k in ("endpoint_url", "region_name") if extra.get(k)}
    fs = s3fs.S3FileSystem(key=conn.login or None, secret=conn.password or None, client_kwargs=client_kwargs)
    fs.invalidate_cache()  # fsspec reuses instances: never trust a listing from an earlier pull
    root = f"{settings.bucket}/{settings.prefix}".rstrip("/")
    pattern = name_pattern(settings, period)
    try:
        objects = [o for o in fs.ls(root, detail=True) if o["type"] == "file"]
    except Exception as exc:  # botocore raises many kinds; the message names no secret
        raise TransportError(f"listing s3://{root} with connection '{conn.conn_id}' failed: "
                             f"{type(exc).__name__}: {exc}") from None
    landed, matched = [], 0
    for obj in sorted(objects, key=lambda o: o["name"]):
        name = obj["name"].rsplit("/", 1)[-1]
        fingerprint = f"etag={obj.get('ETag', '').strip(chr(34))};size={obj['size']}"
        if not fnmatch.fnmatch(name, pattern):
            continue
        matched += 1
        if landing.seen(obj["name"], fingerprint):
            continue
        with landing.partial(name) as tmp:
            fs.get(obj["name"], str(tmp))
            landed.append(landing.commit(tmp, name, obj["name"], fingerprint))
        log.info("fetched s3://%s (%d bytes)", obj["name"], obj["size"])
    if period and not matched:
        log.warning("no object for period %s under s3://%s (nothing matches %r)", period, root, pattern)
    return landed
