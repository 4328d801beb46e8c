"""Freshness: for every contract, the periods its schedule says should have arrived by now,
against the periods the ledger says did arrive.

A period's due date comes from the contract's ``schedule``:

* ``due: 'N'`` (days): N days after the period ends;
* ``due: 'MM-DD'``: the first such date after the period ends (for quarterly data also the
  dates 3, 6 and 9 months later, for monthly data every month; the first one after the end).

Periods: ``month`` ``2026-01``; ``quarter`` ``2026-Q1`` (calendar); ``year`` ``2026``;
``academic_year`` ``2025/26`` (1 Sep to 31 Aug); ``financial_year`` ``2025/26`` (1 Apr to 31 Mar).
A dataset refreshed more often than its period (quarterly returns of a financial year) is
expected once per period, at the first due date after the period ends.

Status of an expected period (due date passed):

* ``on_time``: received on or before its due date;
* ``late``: received after its due date, or not received and overdue by at most
  ``GRACE_DAYS`` (the ingest DAG still checks daily then);
* ``missing``: not received and overdue by more than ``GRACE_DAYS``.

Received periods come from ledger entries with status accepted, accepted_with_warnings or
superseded (superseded data did arrive; it was later restated).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from marmot.contracts import DUE_WINDOW_DAYS, Contract
from marmot.contracts.periods import due_date, periods_back
from marmot.ingest.ledger import Entry

RECEIVED_STATUSES = ("accepted", "accepted_with_warnings", "superseded")
GRACE_DAYS = DUE_WINDOW_DAYS
LOOKBACK = {"month": 12, "quarter": 4, "year": 3, "academic_year": 3, "financial_year": 3}
STATUSES = ("on_time", "late", "missing")
DATASET_STATES = ("missing", "late", "nothing received", "up to date")  # worst first



def source_freshness_days(contract: Contract) -> tuple[int, int]:
    """dbt source freshness by the same rule, in days since the dataset's last batch: ``warn`` once the longest
    gap between two due dates has passed (the next period is late), ``error`` ``GRACE_DAYS`` later (missing)."""
    period_type = contract.schedule.period_type
    count = {"month": 25, "quarter": 9}.get(period_type, 4)
    dues = sorted(due_date(contract, end) for _, end in periods_back(period_type, date(2027, 1, 1), count))
    gap = max((b - a).days for a, b in zip(dues, dues[1:], strict=False))
    return gap, gap + GRACE_DAYS

@dataclass(frozen=True)
class PeriodFreshness:
    contract_id: str
    partner: str
    dataset: str
    period: str
    due: str  # ISO date
    status: str  # on_time / late / missing
    received_at: str | None
    contact: str
    days_overdue: int  # as of the check, 0 when received on time

    @property
    def received(self) -> bool:
        return self.received_at is not None

    def as_dict(self) -> dict:
        return asdict(self)


def expected_periods(contract: Contract, as_of: date, lookback: int | None = None) -> list[tuple[str, date]]:
    """(period, due) whose due date has passed by ``as_of``, newest first, at most ``lookback``."""
    period_type = contract.schedule.period_type
    lookback = lookback or LOOKBACK[period_type]
    # a period ends well before it is due: look further back, then keep the due ones
    candidates = periods_back(period_type, as_of, lookback + 3)
    due = [(label, due_date(contract, end)) for label, end in candidates]
    return [(label, d) for label, d in due if d <= as_of][:lookback]


def received_periods(entries, contract: Contract) -> dict[str, str]:
    """period -> first received_at (ISO) among the ledger entries that delivered it."""
    first: dict[str, str] = {}
    for e in entries:
        if e.partner != contract.partner or e.dataset != contract.dataset or e.status not in RECEIVED_STATUSES:
            continue
        for period in e.periods:
            if period not in first or e.received_at < first[period]:
                first[period] = e.received_at
    return first


def expected_since(contract: Contract, first: str, as_of: date) -> list[tuple[str, date]]:
    """(period, due) of every period from ``first`` on whose due date has passed by ``as_of``, newest first
    (labels of one period type sort in time order)."""
    per_year = {"month": 12, "quarter": 4}.get(contract.schedule.period_type, 1)
    count = (as_of.year - int(first[:4]) + 2) * per_year
    return [(label, d) for label, d in expected_periods(contract, as_of, count) if label >= first]


def assess(contracts, entries, as_of: date, lookback: int | None = None,
           since_first_received: bool = False) -> list[PeriodFreshness]:
    """Every expected period of every contract with its status, newest period first per contract: the
    ``lookback`` most recent (default ``LOOKBACK``), or with ``since_first_received`` every one from the first
    period the contract received (none when nothing arrived yet), as the data coverage mart counts them."""
    rows = []
    for c in contracts:
        got = received_periods(entries, c)
        if since_first_received:
            expected = expected_since(c, min(got), as_of) if got else []
        else:
            expected = expected_periods(c, as_of, lookback)
        for period, due in expected:
            received_at = got.get(period)
            if received_at is not None:
                arrived = datetime.fromisoformat(received_at).date()
                status = "on_time" if arrived <= due else "late"
                overdue = max(0, (arrived - due).days)
            else:
                overdue = (as_of - due).days
                status = "late" if overdue <= GRACE_DAYS else "missing"
            rows.append(PeriodFreshness(c.id, c.partner, c.dataset, period, due.isoformat(), status,
                                        received_at, c.contact, overdue))
    return rows


def next_due(contract: Contract, as_of: date) -> tuple[str, date] | None:
    """The next period to become due after ``as_of``."""
    period_type = contract.schedule.period_type
    ahead = as_of + timedelta(days=800)
    upcoming = [(label, due_date(contract, end)) for label, end in periods_back(period_type, ahead, 40)]
    later = [(label, d) for label, d in upcoming if d > as_of]
    return min(later, key=lambda x: x[1]) if later else None


@dataclass(frozen=True)
class DatasetStatus:
    """What one partner dataset has sent and what it owes, as of a date: ``marmot status`` and the site's partner
    status page both show these rows (``dataset_status``), so they agree on the same ledger and date."""
    contract_id: str
    partner: str
    dataset: str
    partner_name: str
    title: str
    frequency: str
    state: str  # nothing received / up to date / late / missing (the worst period owed decides)
    periods_received: int  # of the periods due (one sent before it was due, a year-to-date return, is not counted)
    periods_due: int  # from the first period received to the latest already due
    received_late: int  # periods that arrived, but after their due date
    owed: tuple[PeriodFreshness, ...]  # periods due and not received, newest first
    next_due: str | None  # "<period> by <date>"
    last: Entry | None  # the latest delivery (its ledger record: file name as sent, status, receipt)

    @property
    def since(self) -> str | None:
        """The due date of the oldest period owed: how long the dataset has been behind."""
        return self.owed[-1].due if self.owed else None

    def owed_text(self) -> str:
        """'2026-04 (missing, due 2026-05-20, 45 days overdue); ...', or 'none'."""
        return "; ".join(f"{r.period} ({r.status}, due {r.due}, {r.days_overdue} days overdue)"
                         for r in self.owed) or "none"


def dataset_status(contracts, entries, as_of: date) -> list[DatasetStatus]:
    """One row per contract, by ``assess`` over the coverage mart's window (every period since the first received);
    a dataset that sent nothing owes its latest due period."""
    contracts = list(contracts)
    rows = assess(contracts, entries, as_of, since_first_received=True)
    out = []
    for c in contracts:
        mine = [r for r in rows if r.contract_id == c.id] or assess([c], entries, as_of, lookback=1)
        owed = tuple(r for r in mine if not r.received)
        received = received_periods(entries, c)
        state = ("nothing received" if not received else "missing" if any(r.status == "missing" for r in owed)
                 else "late" if owed else "up to date")
        delivered = [e for e in entries if e.partner == c.partner and e.dataset == c.dataset]
        last = max(delivered, key=lambda e: (e.received_at, e.batch_id), default=None)
        nxt = next_due(c, as_of)
        out.append(DatasetStatus(
            c.id, c.partner, c.dataset, c.partner_name, c.title, c.schedule.frequency, state,
            sum(r.received for r in mine), len(mine), sum(r.status == "late" and r.received for r in mine), owed,
            f"{nxt[0]} by {nxt[1].isoformat()}" if nxt else None, last))
    return out


def state_counts(statuses: list[DatasetStatus]) -> dict[str, int]:
    """How many datasets are in each state, worst first (every state named, zero or not)."""
    return {state: sum(s.state == state for s in statuses) for state in DATASET_STATES}


def to_chase(rows: list[PeriodFreshness], per_contract: int = 1) -> list[PeriodFreshness]:
    """Periods to chase: not received, among each contract's ``per_contract`` most recent expected periods.

    Older gaps show in the table but are not chased again and again (a new platform would
    otherwise e-mail every partner about years of history on its first day)."""
    seen: dict[str, int] = {}
    out = []
    for r in rows:
        seen[r.contract_id] = seen.get(r.contract_id, 0) + 1
        if seen[r.contract_id] <= per_contract and not r.received:
            out.append(r)
    return out


def state_path(home: Path) -> Path:
    return home / "notifications" / "freshness.json"
