"""Which periods a partner would have delivered by a given day, at the contract's cadence.

Rules (kept simple on purpose):
- monthly, ``due: 'DD'``: a month is delivered on day DD of the following month;
- quarterly, ``due: 'N'``: a quarter (calendar quarters, 'YYYY-Qn') is delivered N days after it ends;
- annual, ``due: 'MM-DD'``: a year is delivered on the first MM-DD after it ends (calendar
  year 'YYYY' ends 31 Dec, academic year 'YYYY/YY' 31 Aug, financial year 'YYYY/YY' 31 Mar);
- quarterly delivery of a financial-year period (Job Shop): each quarter a year-to-date
  extract of the financial year, 30 days after the quarter ends.
``years`` years of periods end at the latest delivered one. Census is a single 2021 file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marmot.contracts import Schedule

TODAY = date(2026, 11, 23)


@dataclass(frozen=True)
class Period:
    label: str  # the value written in the contract's period column
    start: date
    end: date
    part: int = 0  # for year-to-date extracts: quarters of the year covered (1-4)

    @property
    def year(self) -> int:
        """Calendar year the period mostly falls in (for the population model)."""
        return (self.start + (self.end - self.start) / 2).year

    @property
    def slug(self) -> str:
        s = self.label.replace("/", "-")
        return f"{s}_Q{self.part}" if self.part else s


def _month_end(y: int, m: int) -> date:
    return (date(y + m // 12, m % 12 + 1, 1)) - timedelta(days=1)


def _annual(kind: str, y: int) -> Period:
    """The annual period that starts in calendar year ``y``."""
    if kind == "year":
        return Period(str(y), date(y, 1, 1), date(y, 12, 31))
    if kind == "academic_year":
        return Period(f"{y}/{str(y + 1)[2:]}", date(y, 9, 1), date(y + 1, 8, 31))
    return Period(f"{y}/{str(y + 1)[2:]}", date(y, 4, 1), date(y + 1, 3, 31))


def _first_after(end: date, due: str) -> date:
    m, d = (int(x) for x in due.split("-"))
    candidate = date(end.year, m, d)
    return candidate if candidate > end else date(end.year + 1, m, d)


def periods_for(schedule: Schedule, years: int, today: date = TODAY) -> list[Period]:
    """Oldest first: ``years`` years of periods ending at the latest delivered by ``today``."""
    freq, kind, due = schedule.frequency, schedule.period_type, schedule.due
    out: list[Period] = []
    if freq == "monthly":
        y, m = today.year, today.month
        while date(*((y, m + 1) if m < 12 else (y + 1, 1)), int(due)) > today:
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        for _ in range(12 * years):
            out.append(Period(f"{y}-{m:02d}", date(y, m, 1), _month_end(y, m)))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    elif freq == "quarterly" and kind == "quarter":
        y, q = today.year, (today.month - 1) // 3 + 1
        while _month_end(y, 3 * q) + timedelta(days=int(due)) > today:
            y, q = (y, q - 1) if q > 1 else (y - 1, 4)
        for _ in range(4 * years):
            out.append(Period(f"{y}-Q{q}", date(y, 3 * q - 2, 1), _month_end(y, 3 * q)))
            y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    elif freq == "quarterly":  # year-to-date extracts of an annual period
        y = today.year + 1
        while len(out) < 4 * years:
            p = _annual(kind, y)
            for part in (4, 3, 2, 1):
                q_end = _month_end(p.start.year + (p.start.month + 3 * part - 2) // 12,
                                   (p.start.month + 3 * part - 2) % 12 + 1)
                if q_end + timedelta(days=30) <= today and len(out) < 4 * years:
                    out.append(Period(p.label, p.start, p.end, part))
            y -= 1
    else:
        y = today.year
        while _first_after(_annual(kind, y).end, due) > today:
            y -= 1
        out = [_annual(kind, y - i) for i in range(years)]
    return sorted(out, key=lambda p: (p.start, p.part))
