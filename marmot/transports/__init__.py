"""Transports: bring a partner's files into ``landing/<partner>/<dataset>/``.

``landing_folder`` partners drop files themselves; for ``sftp``, ``http_api`` and
``object_storage`` a pull fetches what is new (remembered per remote file, so a re-run fetches
nothing again) and lands each file atomically. Ingest then treats it like any landed file.
Credentials come only from the Airflow connection named by ``transport.conn_id``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from marmot.contracts import Contract
from marmot.settings import Paths
from marmot.transports.base import Landing

log = logging.getLogger(__name__)


def pull(paths: Paths, contract: Contract) -> list[Path]:
    """Fetch new remote files for one dataset; return the landed paths (none for landing_folder)."""
    kind = contract.transport["type"]
    if kind == "landing_folder":
        return []
    if kind == "sftp":
        from marmot.transports.sftp import pull as puller
    elif kind == "http_api":
        from marmot.transports.http_api import pull as puller
    elif kind == "object_storage":
        from marmot.transports.object_storage import pull as puller
    else:  # contracts.validate refuses other types
        raise ValueError(f"{contract.id}: unknown transport {kind!r}")
    landing = Landing(paths, contract)
    landed = puller(contract.transport, landing)
    log.info("%s: pulled %d new file(s) over %s", contract.id, len(landed), kind)
    return landed
