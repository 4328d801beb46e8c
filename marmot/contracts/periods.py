"""Periods of a contract's ``schedule``: how labels are written, when periods end and fall due, and
the cron windows of the ingest DAGs' daily checks around the due dates.

Periods: ``month`` ``2026-01``; ``quarter`` ``2026-Q1`` (calendar); ``year`` ``2026``;
``academic_year`` ``2025/26`` (1 Sep to 31 Aug); ``financial_year`` ``2025/26`` (1 Apr to 31 Mar).
``schedule.due`` is either a number of days after each period ends (``'20'``) or a month-day
(``'03-31'``: the first such date after the period ends; for quarterly data also 3, 6 and 9 months
later, for monthly data every month).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from marmot.contracts.model import Contract, Schedule

# schedule.period_type -> (label pattern, how to write it, example): the labels of the contract's
# period column, and what a pull of one period (``marmot pull --period``, the DAG's ``period``) takes
PERIOD_TYPES: dict[str, tuple[str, str, str]] = {
    "month": (r"^[0-9]{4}-(0[1-9]|1[0-2])$", "YYYY-MM", "2025-04"),
    "quarter": (r"^[0-9]{4}-Q[1-4]$", "YYYY-Qn (calendar quarter)", "2025-Q1"),
    "year": (r"^[0-9]{4}$", "YYYY", "2025"),
    "academic_year": (r"^[0-9]{4}/[0-9]{2}$", "YYYY/YY (1 Sep to 31 Aug)", "2024/25"),
    "financial_year": (r"^[0-9]{4}/[0-9]{2}$", "YYYY/YY (1 Apr to 31 Mar)", "2024/25"),
}
LOCAL_TIMEZONE = ZoneInfo("Europe/London")  # due dates and the ingest DAGs' crons are London dates
DUE_WINDOW_DAYS = 7  # ingest DAGs check daily from a week before to a week after the due date
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


class PeriodError(ValueError):
    """A period asked for is not one of the contract's periods, or its transport cannot fetch one period."""


def period_slug(label: str) -> str:
    """A period label as it appears in file names ('2024/25' -> '2024-25'; others unchanged)."""
    return label.replace("/", "-")


def is_period(period_type: str, text: str) -> bool:
    """``text`` is a period label of ``period_type`` ('2024/25': the second year follows the first)."""
    ok = bool(re.fullmatch(PERIOD_TYPES[period_type][0], text))
    if ok and period_type in ("academic_year", "financial_year"):
        ok = int(text[5:]) == (int(text[:4]) + 1) % 100
    return ok


def how_to_write(period_type: str) -> str:
    """How a label of ``period_type`` is written, with an example (for error messages)."""
    _, form, example = PERIOD_TYPES[period_type]
    return f"write it as {form}, e.g. '{example}'"


def check_period(contract: Contract, label) -> str:
    """``label`` as one of the contract's periods (surrounding spaces ignored); PeriodError when it
    is not written as ``schedule.period_type`` says (e.g. a month as 'YYYY-MM')."""
    kind = contract.schedule.period_type
    text = str(label).strip() if label is not None else ""
    if not is_period(kind, text):
        raise PeriodError(f"{contract.id}: period {label!r} is not a {kind.replace('_', ' ')} "
                          f"(schedule.period_type {kind!r}); {how_to_write(kind)}")
    return text


MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12, "academic_year": 12, "financial_year": 12}


def period_on(period_type: str, day: date) -> str:
    """The label of the period running on ``day`` (labels of one period type sort in time order)."""
    if period_type == "month":
        return f"{day.year}-{day.month:02d}"
    if period_type == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period_type == "year":
        return str(day.year)
    first_month = {"academic_year": 9, "financial_year": 4}[period_type]
    start = day.year if day.month >= first_month else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def latest_period(contract: Contract, received: date) -> str:
    """The latest period a file received on ``received`` may hold: the one running that day (it must
    have started), or ``schedule.periods_ahead`` periods later for a dataset that sends forecasts."""
    kind = contract.schedule.period_type
    return period_on(kind, _add_months(received, contract.schedule.periods_ahead * MONTHS_PER_PERIOD[kind]))


def _month_end(y: int, m: int) -> date:
    return (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1))


def periods_back(period_type: str, as_of: date, count: int) -> list[tuple[str, date]]:
    """(label, end date) of the ``count`` most recent periods that have ended by ``as_of``, newest first."""
    out: list[tuple[str, date]] = []
    if period_type == "month":
        y, m = as_of.year, as_of.month
        while len(out) < count:
            m -= 1
            if m == 0:
                y, m = y - 1, 12
            out.append((f"{y}-{m:02d}", _month_end(y, m)))
    elif period_type == "quarter":
        y, q = as_of.year, (as_of.month - 1) // 3 + 1
        while len(out) < count:
            q -= 1
            if q == 0:
                y, q = y - 1, 4
            out.append((f"{y}-Q{q}", _month_end(y, 3 * q)))
    elif period_type in ("year", "academic_year", "financial_year"):
        end_month = {"year": 12, "academic_year": 8, "financial_year": 3}[period_type]
        end = _month_end(as_of.year, end_month)
        if end > as_of:
            end = _month_end(as_of.year - 1, end_month)
        while len(out) < count:
            label = str(end.year) if period_type == "year" else f"{end.year - 1}/{end.year % 100:02d}"
            out.append((label, end))
            end = _month_end(end.year - 1, end_month)
    else:
        raise ValueError(f"unknown period_type {period_type!r}")
    return out


def due_date(contract: Contract, period_end: date) -> date:
    due, frequency = contract.schedule.due, contract.schedule.frequency
    if "-" not in due:
        return period_end + timedelta(days=int(due))
    month, day = map(int, due.split("-"))
    step = {"monthly": 1, "quarterly": 3, "annual": 12}[frequency]
    candidates = []
    for year in (period_end.year, period_end.year + 1, period_end.year + 2):
        for k in range(0, 12, step):
            mm = (month - 1 + k) % 12 + 1
            yy = year + (month - 1 + k) // 12
            candidates.append(date(yy, mm, min(day, _month_end(yy, mm).day)))
    return min(d for d in candidates if d > period_end)


def period_due_on(contract: Contract, when: date | datetime) -> str:
    """The latest period whose due date (``schedule.due``) is on or before ``when``: what a run of
    the ingest DAG on that day was there to fetch. An aware datetime is read as a London date."""
    if isinstance(when, datetime):
        when = (when.astimezone(LOCAL_TIMEZONE) if when.tzinfo else when).date()
    # newest first; due dates grow with the period's end, so the first one due is the latest
    for label, end in periods_back(contract.schedule.period_type, when, 40):  # 40 covers due up to 999 days
        if due_date(contract, end) <= when:
            return label
    raise PeriodError(f"{contract.id}: no period was due by {when.isoformat()}")


def check_crons(schedule: Schedule) -> list[str]:
    """Cron expressions (07:00) for a daily check from a week before to a week after each due date."""
    due, frequency = schedule.due, schedule.frequency
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
