"""Transports: bring a partner's files into ``landing/<partner>/<dataset>/``.

``landing_folder`` partners drop files themselves; for ``sftp``, ``http_api``, ``object_storage``
and ``fingertips_api`` a pull fetches what is new (remembered per remote file, so a re-run fetches
nothing again) and lands each file atomically. Ingest then treats it like any landed file.
Credentials come only from the Airflow connection named by ``transport.conn_id``.

A pull may ask for one period (``period='2025-04'``, written as the contract's
``schedule.period_type`` says): the contract's transport then says how (``period_param`` for
http_api, ``period_pattern`` for sftp and object_storage; see ``ingestion/contracts/README.md``)
and only that period's file is fetched, again once per content.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from marmot.contracts import PERIOD_SETTINGS, Contract, PeriodError
from marmot.land.transports.base import Landing
from marmot.settings import Paths

log = logging.getLogger(__name__)


def check_period(contract: Contract, period: str | None) -> str | None:
    """``period`` checked against the contract (PeriodError when malformed, or when its transport
    cannot ask for one period); None stays None (fetch what is new)."""
    if period is None or (isinstance(period, str) and not period.strip()):
        return None
    label = contract.check_period(period)
    kind = contract.transport.type
    if kind == "landing_folder":
        raise PeriodError(f"{contract.id}: partners drop this dataset in its landing folder; there is "
                          "nothing to pull, for a period or otherwise")
    if kind not in PERIOD_SETTINGS:
        raise PeriodError(f"{contract.id}: a {kind} pull fetches one file holding every period; it cannot be "
                          "asked for one period")
    if not contract.period_setting:
        raise PeriodError(f"{contract.id}: transport {kind!r} does not say how to ask for one period; add "
                          f"transport.{PERIOD_SETTINGS[kind]} to ingestion/contracts/{contract.id}.yml "
                          "(see ingestion/contracts/README.md)")
    return label


def period_for_run(contract: Contract, *, requested: str | None, run_type: str | None,
                   run_date: date | datetime | None) -> str | None:
    """The period an ingest DAG run pulls: the one asked for (the run's ``period`` param), else for
    a backfill run the period that was due at the run's date (``Contract.period_due_on``), else None:
    a scheduled or plain manual run fetches whatever is new."""
    if period := check_period(contract, requested):
        return period
    if str(getattr(run_type, "value", run_type)) == "backfill":
        if run_date is None:
            raise PeriodError(f"{contract.id}: a backfill run without a logical date or data interval")
        return check_period(contract, contract.period_due_on(run_date))
    return None


def pull(paths: Paths, contract: Contract, period: str | None = None) -> list[Path]:
    """Fetch new remote files for one dataset, or only those of ``period``; return the landed paths
    (none for landing_folder)."""
    kind = contract.transport.type
    period = check_period(contract, period)
    if kind == "landing_folder":
        return []
    if kind == "sftp":
        from marmot.land.transports.sftp import pull as puller
    elif kind == "http_api":
        from marmot.land.transports.http_api import pull as puller
    elif kind == "object_storage":
        from marmot.land.transports.object_storage import pull as puller
    elif kind == "fingertips_api":
        from marmot.land.transports.fingertips_api import pull as puller
    else:  # contracts.validate refuses other types
        raise ValueError(f"{contract.id}: unknown transport {kind!r}")
    landing = Landing(paths, contract)
    landed = puller(contract.transport, landing, period=period)
    log.info("%s: pulled %d new file(s) over %s%s", contract.id, len(landed), kind,
             f" for period {period}" if period else "")
    return landed
