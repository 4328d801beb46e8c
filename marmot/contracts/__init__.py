"""Partner data contracts: one YAML file per partner dataset under ``ingestion/contracts/``.

A contract says what a partner sends (formats, schedule, columns, personal data) and what
ingest checks. ``load_contracts`` validates every file and raises ``ContractError`` listing
every problem found, so ``marmot contracts validate`` can print them all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from marmot.settings import CONTRACTS_DIR

COLUMN_TYPES = {"string", "integer", "number", "date", "boolean"}
FORMATS = {"csv", "xlsx", "parquet", "json", "ndjson"}
FREQUENCIES = {"monthly", "quarterly", "annual"}
# schedule.period_type -> (label pattern, how to write it, example): the labels of the contract's
# period column, and what a pull of one period (``marmot pull --period``, the DAG's ``period``) takes
PERIOD_TYPES: dict[str, tuple[str, str, str]] = {
    "month": (r"^[0-9]{4}-(0[1-9]|1[0-2])$", "YYYY-MM", "2025-04"),
    "quarter": (r"^[0-9]{4}-Q[1-4]$", "YYYY-Qn (calendar quarter)", "2025-Q1"),
    "year": (r"^[0-9]{4}$", "YYYY", "2025"),
    "academic_year": (r"^[0-9]{4}/[0-9]{2}$", "YYYY/YY (1 Sep to 31 Aug)", "2024/25"),
    "financial_year": (r"^[0-9]{4}/[0-9]{2}$", "YYYY/YY (1 Apr to 31 Mar)", "2024/25"),
}
PERIOD_PLACEHOLDER = "{period}"
LOCAL_TIMEZONE = ZoneInfo("Europe/London")  # due dates and the ingest DAGs' crons are London dates
PRINCIPLES = {
    "H0_headline",
    "P1_best_start",
    "P2_capabilities",
    "P3_fair_work",
    "P4_living_standard",
    "P5_places_communities",
    "P6_prevention",
    "P7_racism_discrimination",
    "P8_environment_equity",
}
TREATMENTS = {"pseudonymise", "drop", "generalise"}
# transport type -> (settings it needs, settings it may have); every type may name an XLSX sheet
TRANSPORTS: dict[str, tuple[set[str], set[str]]] = {
    "landing_folder": (set(), set()),
    "sftp": ({"conn_id", "remote_dir"}, {"pattern", "period_pattern"}),
    "http_api": ({"conn_id", "endpoint"}, {"page_param", "page_size", "records_key", "max_retries", "backoff_seconds",
                                           "period_param"}),
    "object_storage": ({"conn_id", "bucket"}, {"prefix", "pattern", "period_pattern"}),
}
# the transport setting that says how one period is asked for (see ingestion/contracts/README.md)
PERIOD_SETTINGS = {"sftp": "period_pattern", "http_api": "period_param", "object_storage": "period_pattern"}
DUE_WINDOW_DAYS = 7  # ingest DAGs check daily from a week before to a week after the due date
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
CHECKS = {"nhs_number"}  # extra checks beyond type/pattern/range (see marmot.ingest.ingestor)
REQUIRED_KEYS = (
    "partner", "dataset", "title", "owner", "contact", "description", "formats",
    "transport", "schedule", "grain", "key", "period", "principles", "columns",
)


class ContractError(ValueError):
    """One or more contracts are invalid; the message lists every problem."""


class PeriodError(ValueError):
    """A period asked for is not one of the contract's periods, or its transport cannot fetch one period."""


def normalise_header(name: str) -> str:
    """Header as compared with contract names and aliases: case, spacing and punctuation ignored."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    normalise: str | None = None
    reference: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    personal: dict | None = None
    check: str | None = None

    @property
    def output_name(self) -> str:
        """Name in the warehouse (personal columns are renamed by their treatment)."""
        if self.personal and self.personal.get("output"):
            return self.personal["output"]
        return self.name

    def header_names(self) -> set[str]:
        return {normalise_header(self.name), *(normalise_header(a) for a in self.aliases)}


@dataclass(frozen=True)
class Contract:
    partner: str
    dataset: str
    title: str
    owner: str
    contact: str
    description: str
    formats: tuple[str, ...]
    transport: dict
    schedule: dict
    grain: str
    key: tuple[str, ...]
    period_column: str
    principles: tuple[str, ...]
    columns: tuple[Column, ...]
    restatement: dict = field(default_factory=dict)
    partner_name: str = ""
    path: Path | None = None

    @property
    def id(self) -> str:
        return f"{self.partner}__{self.dataset}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def pseudonymises(self) -> bool:
        """Some column's direct identifier is replaced by a keyed pseudonym at ingest."""
        return any(c.personal and c.personal["treatment"] == "pseudonymise" for c in self.columns)

    def check_crons(self) -> list[str]:
        """Cron expressions (07:00) for a daily check from a week before to a week after each due date.

        ``schedule.due`` is either a number of days after each period ends (``'20'``) or a
        month-day (``'03-31'``; for quarterly data also 3, 6 and 9 months later).
        """
        due, frequency = str(self.schedule["due"]), self.schedule["frequency"]
        if "-" in due:
            month, day = map(int, due.split("-"))
            first = date(2025, month, min(day, 28) if month == 2 else day)
            steps = {"monthly": range(12), "quarterly": range(0, 12, 3), "annual": range(1)}[frequency]
            dues = [_add_months(first, k) for k in steps]
        else:
            ends = {"monthly": [_add_months(date(2025, 1, 31), k) for k in range(12)],
                    "quarterly": [date(2025, m, d) for m, d in QUARTER_ENDS],
                    "annual": [date(2025, 12, 31)]}[frequency]
            dues = [end + timedelta(days=int(due)) for end in ends]
        days: dict[int, set[int]] = {}
        for d in dues:
            for k in range(-DUE_WINDOW_DAYS, DUE_WINDOW_DAYS + 1):
                day = d + timedelta(days=k)
                days.setdefault(day.month, set()).add(day.day)
        months_by_days: dict[str, list[int]] = {}
        for month, ds in sorted(days.items()):
            months_by_days.setdefault(_ranges(sorted(ds)), []).append(month)
        return [f"0 7 {ds} {'*' if len(ms) == 12 else ','.join(map(str, ms))} *"
                for ds, ms in months_by_days.items()]

    def check_period(self, label) -> str:
        """``label`` as one of this contract's periods (surrounding spaces ignored); PeriodError when it
        is not written as ``schedule.period_type`` says (e.g. a month as 'YYYY-MM')."""
        kind = self.schedule["period_type"]
        regex, form, example = PERIOD_TYPES[kind]
        text = str(label).strip() if label is not None else ""
        ok = bool(re.fullmatch(regex, text))
        if ok and kind in ("academic_year", "financial_year"):  # '2024/25': the second year follows the first
            ok = int(text[5:]) == (int(text[:4]) + 1) % 100
        if not ok:
            raise PeriodError(f"{self.id}: period {label!r} is not a {kind.replace('_', ' ')} "
                              f"(schedule.period_type {kind!r}); write it as {form}, e.g. '{example}'")
        return text

    def period_due_on(self, when: date | datetime) -> str:
        """The latest period whose due date (``schedule.due``) is on or before ``when``: what a run of
        the ingest DAG on that day was there to fetch. An aware datetime is read as a London date."""
        from marmot.monitor.freshness import _periods_back, due_date  # freshness builds on contracts

        if isinstance(when, datetime):
            when = (when.astimezone(LOCAL_TIMEZONE) if when.tzinfo else when).date()
        # newest first; due dates grow with the period's end, so the first one due is the latest
        for label, end in _periods_back(self.schedule["period_type"], when, 40):  # 40 covers due up to 999 days
            if due_date(self, end) <= when:
                return label
        raise PeriodError(f"{self.id}: no period was due by {when.isoformat()}")

    @property
    def period_setting(self) -> str | None:
        """The transport setting that asks for one period, when the contract declares it."""
        name = PERIOD_SETTINGS.get(self.transport["type"])
        return name if name and self.transport.get(name) else None

    def stored_columns(self) -> list[Column]:
        """Columns that reach the warehouse (dropped personal data excluded)."""
        return [c for c in self.columns if not (c.personal and c.personal["treatment"] == "drop")]


def _add_months(d: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's last day)."""
    y, m = divmod(d.month - 1 + months, 12)
    last = (date(d.year + y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(d.year + y, m + 1, min(d.day, last))


def _ranges(days: list[int]) -> str:
    """[1, 2, 3, 7, 8] -> '1-3,7-8' (cron day-of-month field)."""
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][1] + 1:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in runs)


def _check_column(raw: dict, where: str) -> list[str]:
    errors = []
    name = raw.get("name")
    if not name or not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
        errors.append(f"{where}: column name {name!r} must be snake_case")
    if raw.get("type") not in COLUMN_TYPES:
        errors.append(f"{where}: column {name!r} has type {raw.get('type')!r}; use one of {sorted(COLUMN_TYPES)}")
    if raw.get("pattern"):
        try:
            re.compile(raw["pattern"])
        except re.error as exc:
            errors.append(f"{where}: column {name!r} pattern does not compile: {exc}")
    if raw.get("check") is not None and raw["check"] not in CHECKS:
        errors.append(f"{where}: column {name!r} check must be one of {sorted(CHECKS)}")
    personal = raw.get("personal")
    if personal is not None and personal.get("treatment") not in TREATMENTS:
        errors.append(f"{where}: column {name!r} personal treatment must be one of {sorted(TREATMENTS)}")
    unknown = set(raw) - {
        "name", "type", "required", "description", "aliases", "allowed", "pattern", "minimum",
        "maximum", "normalise", "reference", "date_formats", "personal", "check",
    }
    if unknown:
        errors.append(f"{where}: column {name!r} has unknown keys {sorted(unknown)}")
    return errors


def period_slug(label: str) -> str:
    """A period label as it appears in file names ('2024/25' -> '2024-25'; others unchanged)."""
    return label.replace("/", "-")


def _check_period_setting(kind: str, transport: dict, where: str) -> list[str]:
    """``period_param`` (http_api) or ``period_pattern`` (sftp, object_storage) is usable."""
    name = PERIOD_SETTINGS.get(kind)
    if not name or name not in transport:
        return []
    value = transport[name]
    if name == "period_param":
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", value):
            return [f"{where}: transport.period_param {value!r} must be a query parameter name such as 'month'"]
        taken = {transport.get("page_param", "page"): "page_param"} | (
            {"page_size": "page_size"} if transport.get("page_size") else {})
        if value in taken:
            return [f"{where}: transport.period_param {value!r} is already used for {taken[value]}"]
        return []
    if not isinstance(value, str) or value.count(PERIOD_PLACEHOLDER) != 1:
        return [f"{where}: transport.period_pattern {value!r} must be a file-name pattern containing "
                f"'{PERIOD_PLACEHOLDER}' once, e.g. 'admissions_{PERIOD_PLACEHOLDER}.csv'"]
    rest = value.replace(PERIOD_PLACEHOLDER, "")
    if "{" in rest or "}" in rest or "/" in rest or "\\" in rest:
        return [f"{where}: transport.period_pattern {value!r} may contain only '{PERIOD_PLACEHOLDER}', "
                "file-name characters and * ? [] wildcards (no other braces, no folders)"]
    return []


def _check_transport(transport, where: str) -> list[str]:
    """``transport.type`` is known and has the settings its puller needs (credentials never here)."""
    if not isinstance(transport, dict):
        return [f"{where}: transport must be a mapping with a 'type' ({', '.join(TRANSPORTS)})"]
    kind = transport.get("type")
    if kind not in TRANSPORTS:
        return [f"{where}: transport.type is {kind!r}; use one of {sorted(TRANSPORTS)}"]
    needs, may = TRANSPORTS[kind]
    errors = [f"{where}: transport type {kind!r} needs setting '{k}'" for k in sorted(needs - set(transport))]
    if unknown := set(transport) - needs - may - {"type", "sheet"}:
        errors.append(f"{where}: transport type {kind!r} has unknown settings {sorted(unknown)}; "
                      f"allowed: {sorted(needs | may | {'sheet'})}")
    if kind != "landing_folder" and transport.get("conn_id") is not None and not re.fullmatch(
            r"[a-z][a-z0-9_]*", str(transport["conn_id"])):
        errors.append(f"{where}: transport.conn_id {transport['conn_id']!r} must be a snake_case Airflow connection id")
    return errors + _check_period_setting(kind, transport, where)


def _check(raw: dict, path: Path) -> list[str]:
    where = path.name
    errors = [f"{where}: missing key '{k}'" for k in REQUIRED_KEYS if k not in raw]
    if errors:
        return errors
    if path.stem != f"{raw['partner']}__{raw['dataset']}":
        errors.append(f"{where}: file must be named {raw['partner']}__{raw['dataset']}.yml")
    if bad := set(raw["formats"]) - FORMATS:
        errors.append(f"{where}: unknown formats {sorted(bad)}; use {sorted(FORMATS)}")
    errors += _check_transport(raw["transport"], where)
    if raw["schedule"].get("period_type") not in PERIOD_TYPES:
        errors.append(f"{where}: schedule.period_type {raw['schedule'].get('period_type')!r} must be one of "
                      f"{sorted(PERIOD_TYPES)}")
    if raw["schedule"].get("frequency") not in FREQUENCIES:
        errors.append(f"{where}: schedule.frequency must be one of {sorted(FREQUENCIES)}")
    elif not re.fullmatch(r"[0-9]{1,3}|(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", str(raw["schedule"].get("due", ""))):
        errors.append(f"{where}: schedule.due {raw['schedule'].get('due')!r} must be a number of days after "
                      "the period ends ('20') or a month-day ('03-31')")
    if bad := set(raw["principles"]) - PRINCIPLES:
        errors.append(f"{where}: unknown principles {sorted(bad)}; use {sorted(PRINCIPLES)}")
    if "@" not in str(raw["contact"]):
        errors.append(f"{where}: contact must be an email address")
    names = [c.get("name") for c in raw["columns"]]
    if len(names) != len(set(names)):
        errors.append(f"{where}: duplicate column names")
    for col in raw["columns"]:
        errors += _check_column(col, where)
    for k in [*raw["key"], raw["period"].get("column")]:
        if k not in names:
            errors.append(f"{where}: key/period column {k!r} is not a declared column")
    if raw["period"].get("column") not in raw["key"]:
        errors.append(f"{where}: the key must hold the period column {raw['period'].get('column')!r} "
                      "(a re-sent period supersedes by it, and the quality gates check each period's rows apart)")
    headers: dict[str, str] = {}
    for col in raw["columns"]:
        for h in {normalise_header(col.get("name", "")), *map(normalise_header, col.get("aliases", []))}:
            if headers.setdefault(h, col.get("name")) != col.get("name"):
                errors.append(f"{where}: header {h!r} is claimed by {headers[h]!r} and {col.get('name')!r}")
    return errors


def _build(raw: dict, path: Path) -> Contract:
    columns = tuple(
        Column(
            name=c["name"],
            type=c["type"],
            required=bool(c.get("required", False)),
            description=c.get("description", ""),
            aliases=tuple(c.get("aliases", [])),
            allowed=tuple(str(v) for v in c["allowed"]) if "allowed" in c else None,
            pattern=c.get("pattern"),
            minimum=c.get("minimum"),
            maximum=c.get("maximum"),
            normalise=c.get("normalise"),
            reference=c.get("reference"),
            date_formats=tuple(c.get("date_formats", ["%Y-%m-%d"])),
            personal=c.get("personal"),
            check=c.get("check"),
        )
        for c in raw["columns"]
    )
    return Contract(
        partner=raw["partner"],
        dataset=raw["dataset"],
        title=raw["title"],
        owner=raw["owner"],
        contact=raw["contact"],
        description=raw["description"].strip(),
        formats=tuple(raw["formats"]),
        transport=raw["transport"],
        schedule=raw["schedule"],
        grain=raw["grain"],
        key=tuple(raw["key"]),
        period_column=raw["period"]["column"],
        principles=tuple(raw["principles"]),
        columns=columns,
        restatement=raw.get("restatement", {}),
        partner_name=raw.get("partner_name", raw["partner"]),
        path=path,
    )


def read_yaml(path: Path):
    """A YAML file parsed by libyaml's safe loader where PyYAML has it: the pure-Python loader took
    0.4 s for the contracts, paid by every Airflow task as it parses its DAG file."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every contract keyed by ``partner__dataset``; raises ContractError listing all problems."""
    contracts: dict[str, Contract] = {}
    errors: list[str] = []
    for path in sorted(directory.glob("*.yml")):
        try:
            raw = read_yaml(path)
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: not valid YAML: {exc}")
            continue
        if not isinstance(raw, dict):
            errors.append(f"{path.name}: must be a YAML mapping")
            continue
        problems = _check(raw, path)
        if problems:
            errors += problems
            continue
        contract = _build(raw, path)
        contracts[contract.id] = contract
    if errors:
        raise ContractError("\n".join(errors))
    return contracts
