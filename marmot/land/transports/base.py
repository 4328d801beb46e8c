"""What every puller shares: credentials, atomic landing and the memory of what was fetched."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from marmot.atomic import write_text
from marmot.contracts import PERIOD_PLACEHOLDER, Contract, ObjectStorage, Sftp, period_slug
from marmot.settings import Paths


class TransportError(RuntimeError):
    """A pull could not complete (the message never contains a credential)."""


class ConnectionMissing(TransportError):
    """The Airflow connection a contract names is not configured here."""


def connection(conn_id: str):
    """The Airflow connection ``conn_id``: from ``AIRFLOW_CONN_<ID>`` (JSON or URI) or, inside a
    task, from Airflow's secrets backends and metadata database, exactly as Airflow resolves it."""
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id)
    except Exception as exc:  # AirflowNotFoundException, or no Airflow API outside a task
        raise ConnectionMissing(
            f"Airflow connection '{conn_id}' is not defined: add it in Airflow (Admin > Connections) "
            f"or set AIRFLOW_CONN_{conn_id.upper()} in the worker's environment ({type(exc).__name__})."
        ) from None


def name_pattern(settings: Sftp | ObjectStorage, period: str | None) -> str:
    """The fnmatch pattern of the remote files to fetch: ``pattern`` (default every file), or for one
    period ``period_pattern`` with ``{period}`` replaced by the period as in file names."""
    if period is None:
        return settings.pattern
    return settings.period_pattern.replace(PERIOD_PLACEHOLDER, period_slug(period))


def local_name(remote: str) -> str:
    """A safe file name for a remote file: its last path part, no separators, no leading dot."""
    name = PurePosixPath(remote.replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f/]", "_", name).lstrip(".")
    return name or "file"


class Landing:
    """Lands fetched files for one dataset and remembers remote fingerprints already fetched."""

    def __init__(self, paths: Paths, contract: Contract):
        self.folder = paths.landing / contract.partner / contract.dataset
        self.state_path = paths.home / "transfers" / contract.partner / f"{contract.dataset}.json"
        self.state: dict[str, dict] = (
            json.loads(self.state_path.read_text(encoding="utf-8")) if self.state_path.exists() else {}
        )

    def seen(self, remote: str, fingerprint: str) -> bool:
        return self.state.get(remote, {}).get("fingerprint") == fingerprint

    @contextmanager
    def partial(self, name: str) -> Iterator[Path]:
        """A temporary path to download into (ingest ignores it); removed if the download fails."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{local_name(name)}.part"
        try:
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)

    def commit(self, tmp: Path, name: str, remote: str, fingerprint: str) -> Path:
        """Rename the complete download into place, then remember it (so a crash re-fetches)."""
        final = self.folder / local_name(name)
        if final.exists():  # an earlier, not yet ingested file of the same name: keep both
            final = final.with_name(f"{final.stem}.{fingerprint[:12]}{final.suffix}")
        os.replace(tmp, final)
        self.state[remote] = {"fingerprint": fingerprint, "landed_as": final.name,
                              "fetched_at": datetime.now(UTC).isoformat()}
        write_text(self.state_path, json.dumps(self.state, indent=2, sort_keys=True))
        return final
