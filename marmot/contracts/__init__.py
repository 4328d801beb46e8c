"""Partner data contracts: one YAML file per partner dataset under ``ingestion/contracts/``.

A contract says what a partner sends (formats, schedule, columns, personal data) and what
ingest checks. ``model`` holds the typed pydantic models, ``loading`` reads and validates the
folder (``load_contracts`` raises ``ContractError`` listing every problem of every file, so
``marmot contracts validate`` prints them all at once), ``periods`` the period labels, due dates
and check windows of a contract's schedule.
"""

from marmot.contracts.loading import ContractError, load_contracts, read_yaml
from marmot.contracts.model import (
    CHECKS,
    COLUMN_TYPES,
    FORMATS,
    FREQUENCIES,
    PERIOD_PLACEHOLDER,
    PERIOD_SETTINGS,
    PRINCIPLES,
    SCHEMA_FILE,
    TRANSPORTS,
    TREATMENTS,
    Column,
    Contract,
    FingertipsApi,
    HttpApi,
    LandingFolder,
    Limits,
    ObjectStorage,
    Personal,
    Schedule,
    Sftp,
    json_schema,
    normalise_header,
)
from marmot.contracts.periods import DUE_WINDOW_DAYS, LOCAL_TIMEZONE, PERIOD_TYPES, PeriodError, period_slug

__all__ = [
    "CHECKS", "COLUMN_TYPES", "DUE_WINDOW_DAYS", "FORMATS", "FREQUENCIES", "LOCAL_TIMEZONE", "PERIOD_PLACEHOLDER",
    "PERIOD_SETTINGS", "PERIOD_TYPES", "PRINCIPLES", "SCHEMA_FILE", "TRANSPORTS", "TREATMENTS", "Column", "Contract",
    "ContractError", "FingertipsApi", "HttpApi", "LandingFolder", "Limits", "ObjectStorage", "PeriodError",
    "Personal", "Schedule", "Sftp", "json_schema", "load_contracts", "normalise_header", "period_slug", "read_yaml",
]
