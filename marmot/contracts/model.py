"""A partner contract as typed pydantic models: what a partner sends (formats, transport, schedule,
columns, personal data) and what ingest checks.

Every model refuses unknown keys. Problems found while validating are raised by pydantic and
worded for a data engineer by ``marmot.contracts.loading``; the JSON Schema editors use
(``ingestion/contracts/contract.schema.json``) is ``Contract.model_json_schema()``.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from marmot.contracts import periods

ColumnType = Literal["string", "integer", "number", "date", "boolean"]
Format = Literal["csv", "xlsx", "parquet", "json", "ndjson"]
Frequency = Literal["monthly", "quarterly", "annual"]
PeriodType = Literal["month", "quarter", "year", "academic_year", "financial_year"]
Principle = Literal[
    "H0_headline", "P1_best_start", "P2_capabilities", "P3_fair_work", "P4_living_standard",
    "P5_places_communities", "P6_prevention", "P7_racism_discrimination", "P8_environment_equity",
]
Treatment = Literal["pseudonymise", "drop", "generalise"]
Check = Literal["nhs_number"]  # extra checks beyond type/pattern/range (see marmot.ingest.ingestor)

COLUMN_TYPES = set(get_args(ColumnType))
FORMATS = set(get_args(Format))
FREQUENCIES = set(get_args(Frequency))
PRINCIPLES = set(get_args(Principle))
TREATMENTS = set(get_args(Treatment))
CHECKS = set(get_args(Check))
PERIOD_PLACEHOLDER = "{period}"
# the transport setting that says how one period is asked for (see ingestion/contracts/README.md)
PERIOD_SETTINGS = {"sftp": "period_pattern", "http_api": "period_param", "object_storage": "period_pattern"}

SCHEMA_FILE = "contract.schema.json"  # next to the contracts, named in their yaml-language-server comment
SNAKE_CASE = r"^[a-z][a-z0-9_]*$"
DUE = r"^([0-9]{1,3}|(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))$"
QUERY_PARAMETER = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"
SnakeCase = Annotated[str, StringConstraints(pattern=SNAKE_CASE)]


def normalise_header(name: str) -> str:
    """Header as compared with contract names and aliases: case, spacing and punctuation ignored."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _problem(message: str) -> PydanticCustomError:
    """A problem worded here; ``loading`` shows it after the key path it was found at."""
    return PydanticCustomError("contract", message)


def _bad_value(message: str) -> PydanticCustomError:
    """What is wrong with a value; ``loading`` shows it after the key path and the value."""
    return PydanticCustomError("contract_value", message)


def _compiles(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _problem(f"pattern does not compile: {exc}") from None
    return pattern


def _period_pattern(value: str) -> str:
    if value.count(PERIOD_PLACEHOLDER) != 1:
        raise _bad_value(f"must be a file-name pattern containing '{PERIOD_PLACEHOLDER}' once, "
                       f"e.g. 'admissions_{PERIOD_PLACEHOLDER}.csv'")
    rest = value.replace(PERIOD_PLACEHOLDER, "")
    if "{" in rest or "}" in rest or "/" in rest or "\\" in rest:
        raise _bad_value(f"may contain only '{PERIOD_PLACEHOLDER}', file-name characters and * ? [] wildcards "
                       "(no other braces, no folders)")
    return value


def _as_texts(values):
    """Allowed values are compared as text (YAML reads ``- 6`` as a number)."""
    return [str(v) for v in values] if isinstance(values, list) else values


def _whole_as_int(value: float) -> int | float:
    """5 stays 5 (not 5.0) in SQL and in messages such as "must be at least 5"."""
    return int(value) if value.is_integer() else value


Number = Annotated[float, AfterValidator(_whole_as_int)]
PeriodPattern = Annotated[str, AfterValidator(_period_pattern)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Personal(_Model):
    """Personal data in a column and what ingest does with it."""

    treatment: Treatment
    output: str | None = None  # the column's name in the warehouse (e.g. a pseudonym's key name)


class Column(_Model):
    """A column the partner sends: found by its name or an alias (case, spacing and punctuation
    ignored), typed, checked (``required``, ``allowed``, ``pattern``, ``minimum``/``maximum``,
    ``check``); ``normalise: upper`` upper-cases text first, ``reference`` names the lookup its values
    must be in, ``date_formats`` the strptime formats tried, ``personal`` what ingest does with
    personal data. A failed check rejects the row. ``pattern_description`` says in plain words what
    ``pattern`` asks for and ``example`` is a value of that form: receipts quote them, never the
    pattern itself (``marmot.contracts.wording``)."""

    name: SnakeCase
    type: ColumnType
    required: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()
    allowed: Annotated[tuple[str, ...] | None, BeforeValidator(_as_texts)] = None
    pattern: Annotated[str | None, AfterValidator(_compiles)] = None
    # the pattern in words for partners, completing "... look like <example>: <pattern_description>"
    pattern_description: str | None = None
    example: str | None = None  # a value this column takes, shown on receipts
    minimum: Number | None = None
    maximum: Number | None = None
    normalise: str | None = None
    reference: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    personal: Personal | None = None
    check: Check | None = None

    @property
    def output_name(self) -> str:
        """Name in the warehouse (personal columns are renamed by their treatment)."""
        return self.personal.output if self.personal and self.personal.output else self.name

    def header_names(self) -> set[str]:
        return {normalise_header(self.name), *(normalise_header(a) for a in self.aliases)}


class Schedule(_Model):
    """When a partner sends; see ``marmot.contracts.periods``."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # due: 20 reads as '20'

    frequency: Frequency
    period_type: PeriodType
    due: Annotated[str, StringConstraints(pattern=DUE)]
    # ingest rejects rows of a period before this one (none: any past period is taken)
    first_period: str | None = None
    # periods after the one running on the day a file arrives that it may hold (forecasts); 0: a
    # period must have started by then, later ones are rejected at ingest
    periods_ahead: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _first_period_is_a_period(self):
        if self.first_period is not None and not periods.is_period(self.period_type, self.first_period):
            raise _problem(f"first_period {self.first_period!r} is not a period of period_type "
                           f"{self.period_type!r}: {periods.how_to_write(self.period_type)}")
        return self


class _Transport(_Model):
    sheet: str | None = None  # every type may name an XLSX sheet


class LandingFolder(_Transport):
    """The partner drops files in ``landing/<partner>/<dataset>/``."""

    type: Literal["landing_folder"]


class _Pulled(_Transport):
    conn_id: SnakeCase  # the Airflow connection holding the credentials (never in the contract)


class Sftp(_Pulled):
    type: Literal["sftp"]
    remote_dir: str
    pattern: str = "*"
    period_pattern: PeriodPattern | None = None


class HttpApi(_Pulled):
    type: Literal["http_api"]
    endpoint: str
    page_param: str = "page"
    page_size: int | None = None
    records_key: str | None = None
    max_retries: int = 5
    backoff_seconds: float = 1.0
    period_param: Annotated[str, StringConstraints(pattern=QUERY_PARAMETER)] | None = None

    @model_validator(mode="after")
    def _period_param_is_free(self):
        taken = {self.page_param: "page_param"} | ({"page_size": "page_size"} if self.page_size else {})
        if self.period_param in taken:
            raise PydanticCustomError(  # named in full: the error is found at the transport, not at the setting
                "contract_named", f"transport.period_param {self.period_param!r} is already used for "
                f"{taken[self.period_param]}")
        return self


class ObjectStorage(_Pulled):
    type: Literal["object_storage"]
    bucket: str
    prefix: str = ""
    pattern: str = "*"
    period_pattern: PeriodPattern | None = None


class FingertipsApi(_Pulled):
    """The OHID Fingertips bulk CSV (``/api/all_data/csv/by_indicator_id``): every period of the listed
    indicators for England, the parent areas (``parent_area_type_id``, 6: regions) and every child area
    (``child_area_type_id``, 502: upper-tier local authorities from April 2023). No period setting: the
    file holds all periods, and a newer one supersedes an older one."""

    type: Literal["fingertips_api"]
    endpoint: str = "/api/all_data/csv/by_indicator_id"
    indicator_ids: Annotated[tuple[Annotated[int, Field(gt=0)], ...], Field(min_length=1)]
    child_area_type_id: int = 502
    parent_area_type_id: int = 6
    max_retries: int = 5
    backoff_seconds: float = 1.0


Transport = Annotated[LandingFolder | Sftp | HttpApi | ObjectStorage | FingertipsApi, Field(discriminator="type")]
TRANSPORTS: dict[str, type[_Transport]] = {m.model_fields["type"].annotation.__args__[0]: m
                                           for m in (LandingFolder, Sftp, HttpApi, ObjectStorage, FingertipsApi)}


class PeriodColumn(_Model):
    column: str  # the column holding each row's period label


class Restatement(_Model):
    supersedes_on: tuple[str, ...] = ()


PositiveInt = Annotated[int, Field(gt=0)]


class Limits(_Model):
    """How big one file of the dataset may be; ingest checks what a file declares (Parquet metadata, the
    uncompressed size of an XLSX, the bytes of a text file) and its actual rows and columns before loading it,
    and quarantines a larger file. A few bytes can stand for gigabytes once loaded (a 67 KB Parquet file of
    5 million rows, an XLSX declaring 16 million cells), so the bytes sent are no measure. The defaults hold
    a city's largest monthly extract several times over, and a file at them is checked within the default
    MARMOT_INGEST_MEMORY_LIMIT (1 GB: a 1,000,000-row, 138 MB CSV peaked at 785 MB)."""

    max_rows: PositiveInt = 1_000_000  # data rows of one file (blank rows between data rows count)
    max_columns: PositiveInt = 200
    max_uncompressed_mb: PositiveInt = 128  # a text file's bytes; an XLSX or Parquet file's data once unpacked


class Retention(_Model):
    """How long the platform keeps what it received of this dataset. The archive holds each file as the partner
    sent it, direct identifiers included, for reprocessing and audit; ``marmot archive purge`` (daily, in the
    freshness DAG) deletes a file ``archive_days`` after it was received. The ledger keeps its hash and
    ``ledger/_purges/`` records the deletion; the pseudonymised warehouse batches are not affected."""

    archive_days: Annotated[int, Field(gt=0)] = 365


class Contract(_Model):
    """One partner dataset: ``ingestion/contracts/<partner>__<dataset>.yml``."""

    partner: str
    partner_name: str = Field("", validate_default=True)  # defaults to ``partner``
    dataset: str
    title: str
    owner: str
    contact: str
    description: Annotated[str, StringConstraints(strip_whitespace=True)]
    formats: tuple[Format, ...]
    transport: Transport
    schedule: Schedule
    grain: str
    key: tuple[str, ...]
    period: PeriodColumn
    restatement: Restatement = Restatement()
    limits: Limits = Limits()
    retention: Retention = Retention()
    principles: tuple[Principle, ...]
    columns: tuple[Column, ...]
    _path: Path | None = PrivateAttr(None)

    @field_validator("partner_name")
    @classmethod
    def _partner_name(cls, value: str, info: ValidationInfo) -> str:
        return value or info.data.get("partner", "")

    @field_validator("dataset")
    @classmethod
    def _named_after_partner_and_dataset(cls, value: str, info: ValidationInfo) -> str:
        path, partner = (info.context or {}).get("path"), info.data.get("partner")
        if path is not None and partner is not None and Path(path).stem != f"{partner}__{value}":
            raise _problem(f"file must be named {partner}__{value}.yml")
        return value

    @field_validator("contact")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value:
            raise _bad_value("must be an email address")
        return value

    @field_validator("period")
    @classmethod
    def _period_in_key(cls, value: PeriodColumn, info: ValidationInfo) -> PeriodColumn:
        if "key" in info.data and value.column not in info.data["key"]:
            raise _problem(f"the key must hold the period column {value.column!r} (a re-sent period supersedes "
                           "by it, and the quality gates check each period's rows apart)")
        return value

    @field_validator("columns")
    @classmethod
    def _columns_agree(cls, columns: tuple[Column, ...], info: ValidationInfo) -> tuple[Column, ...]:
        names = [c.name for c in columns]
        problems = [f"duplicate column names {sorted({n for n in names if names.count(n) > 1})}"] \
            if len(names) != len(set(names)) else []
        declared = [*info.data.get("key", ()), *([info.data["period"].column] if "period" in info.data else [])]
        problems += [f"key/period column {k!r} is not a declared column" for k in declared if k not in names]
        headers: dict[str, str] = {}
        for col in columns:
            for h in col.header_names():
                if headers.setdefault(h, col.name) != col.name:
                    problems.append(f"header {h!r} is claimed by {headers[h]!r} and {col.name!r}")
        if problems:
            raise _problem("; ".join(problems))
        return columns

    @model_validator(mode="after")
    def _remember_path(self, info: ValidationInfo):
        self._path = (info.context or {}).get("path")
        return self

    @property
    def path(self) -> Path | None:
        """The file the contract was read from."""
        return self._path

    @property
    def id(self) -> str:
        return f"{self.partner}__{self.dataset}"

    @property
    def period_column(self) -> str:
        return self.period.column

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def pseudonymises(self) -> bool:
        """Some column's direct identifier is replaced by a keyed pseudonym at ingest."""
        return any(c.personal and c.personal.treatment == "pseudonymise" for c in self.columns)

    def check_crons(self) -> list[str]:
        """Cron expressions (07:00) for a daily check from a week before to a week after each due date."""
        return periods.check_crons(self.schedule)

    def check_period(self, label) -> str:
        """``label`` as one of this contract's periods; PeriodError when it is not written as
        ``schedule.period_type`` says."""
        return periods.check_period(self, label)

    def period_due_on(self, when: date | datetime) -> str:
        """The latest period due on or before ``when`` (see ``periods.period_due_on``)."""
        return periods.period_due_on(self, when)

    @property
    def period_setting(self) -> str | None:
        """The transport setting that asks for one period, when the contract declares it."""
        name = PERIOD_SETTINGS.get(self.transport.type)
        return name if name and getattr(self.transport, name) else None

    def stored_columns(self) -> list[Column]:
        """Columns that reach the warehouse (dropped personal data excluded)."""
        return [c for c in self.columns if not (c.personal and c.personal.treatment == "drop")]


def json_schema() -> str:
    """The JSON Schema of a contract file, as committed in ``ingestion/contracts/contract.schema.json``."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **Contract.model_json_schema()}
    return json.dumps(schema, indent=2) + "\n"
