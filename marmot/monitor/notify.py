"""Notifications through Airflow notifiers: e-mail (``SmtpNotifier``, SMTP connection
``marmot_smtp``) and a JSON webhook (``WebhookNotifier``, HTTP connection ``marmot_webhook``).

Connections come from Airflow (e.g. ``AIRFLOW_CONN_MARMOT_SMTP=smtp://host:25?from_email=...``,
``AIRFLOW_CONN_MARMOT_WEBHOOK=http://host:port/path``). A channel whose connection is not
defined is skipped with a warning (a laptop has neither); a defined channel that fails raises.

Chasing late extracts is idempotent: ``chase`` records what was sent, per period and
channel, in ``$MARMOT_HOME/notifications/freshness.json`` (written after each send), so a
daily run notifies each late period once, and a retry after a failed send only repeats the
channel that failed. ``restatements`` tells the data team about a restatement that lost most
of the rows of the data it replaced, the same way, once per batch (``restatements.json``).
"""

from __future__ import annotations

import html
import json
import logging
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

from airflow.sdk import BaseNotifier

from marmot.atomic import write_text
from marmot.monitor import freshness
from marmot.settings import data_team

log = logging.getLogger(__name__)

SMTP_CONN_ID = "marmot_smtp"
WEBHOOK_CONN_ID = "marmot_webhook"
FROM_EMAIL = "marmot-platform@coventry.example"


def _connection(conn_id: str):
    """The Airflow connection, or None when it is not defined here."""
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception as exc:  # AirflowNotFoundException (its import path moves between versions)
        if ("isn't defined" in str(exc) or "not found" in str(exc).lower()
                or type(exc).__name__.endswith("NotFoundException")):
            return None
        raise


class WebhookNotifier(BaseNotifier):
    """POST a JSON document to the URL of an HTTP connection (host, port, schema = path)."""

    template_fields = ("payload",)

    def __init__(self, payload: dict, conn_id: str = WEBHOOK_CONN_ID, timeout: float = 10, **kwargs):
        super().__init__(**kwargs)
        self.payload, self.conn_id, self.timeout = payload, conn_id, timeout

    def url(self) -> str:
        conn = _connection(self.conn_id)
        if conn is None:
            raise LookupError(f"connection {self.conn_id} is not defined")
        scheme = "https" if conn.conn_type == "https" else "http"
        path = (conn.schema or "").lstrip("/")
        port = f":{conn.port}" if conn.port else ""
        return f"{scheme}://{conn.host}{port}/{path}"

    def notify(self, context) -> None:
        req = urllib.request.Request(self.url(), data=json.dumps(self.payload, default=str).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            if resp.status >= 300:
                raise RuntimeError(f"webhook answered {resp.status}")


def _email(to: list[str], cc: list[str], subject: str, body_html: str):
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    return SmtpNotifier(to=to, cc=cc or None, from_email=FROM_EMAIL, subject=subject,
                        html_content=body_html, smtp_conn_id=SMTP_CONN_ID)


def configured_channels() -> list[str]:
    return [name for name, conn_id in (("email", SMTP_CONN_ID), ("webhook", WEBHOOK_CONN_ID))
            if _connection(conn_id) is not None]


def _notifiers(channels: list[str], to: list[str], cc: list[str], subject: str, body_html: str,
               payload: dict) -> dict:
    """channel -> the notifier sending this notice through it."""
    return {ch: _email(to, cc, subject, body_html) if ch == "email" else WebhookNotifier(payload) for ch in channels}


def _send_once(path: Path, state: dict, key: str, about: dict, notifiers: dict, context: dict) -> bool:
    """Send ``key``'s notice through every channel ``state`` has not recorded for it, saving the state after each
    send (a failure raises: a retry repeats only the channels that failed); False when all had it already."""
    done = state.setdefault(key, {**about, "channels": {}})
    todo = [ch for ch in notifiers if ch not in done["channels"]]
    for ch in todo:
        notifiers[ch](dict(context))
        done["channels"][ch] = datetime.now(UTC).isoformat(timespec="seconds")
        _save_state(path, state)
    return bool(todo)


# ---- late extracts -------------------------------------------------------------------

def _late_message(r: freshness.PeriodFreshness) -> tuple[str, str, dict]:
    what = "is late" if r.status == "late" else "is missing"
    subject = f"[Marmot] {r.contract_id}: extract for {r.period} {what} (due {r.due})"
    body = (f"<p>The extract <b>{html.escape(r.contract_id)}</b> for period <b>{html.escape(r.period)}</b> "
            f"was due on {r.due} and has not arrived ({r.days_overdue} days overdue).</p>"
            f"<p>Please send it to the landing area as agreed in the data contract "
            f"(ingestion/contracts/{html.escape(r.contract_id)}.yml). The data team is copied.</p>")
    payload = {"event": f"extract_{r.status}", **r.as_dict()}
    return subject, body, payload


def _load_state(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _save_state(path: Path, state: dict) -> None:
    write_text(path, json.dumps(state, indent=2, sort_keys=True))


def chase(home: Path, contracts, entries, as_of: date, context: dict | None = None,
          channels: list[str] | None = None) -> dict:
    """Notify the partner contact and the data team once per late/missing period and channel."""
    context = context if context is not None else {}
    channels = configured_channels() if channels is None else channels
    path = freshness.state_path(home)
    state = _load_state(path)
    rows = freshness.assess(contracts, entries, as_of)
    sent, already, unsent = [], [], []
    for r in freshness.to_chase(rows):
        key = f"{r.contract_id}/{r.period}"
        if not channels:  # nothing configured: say so, remember nothing (chased once a channel exists)
            log.warning("no notification channel configured: %s %s not chased", key, r.status)
            unsent.append(key)
            continue
        notifiers = _notifiers(channels, [r.contact], [data_team()], *_late_message(r))
        (sent if _send_once(path, state, key, {"status": r.status, "due": r.due}, notifiers, context)
         else already).append(key)
    return {"as_of": as_of.isoformat(), "channels": channels, "notified": sent, "already_notified": already,
            "no_channel": unsent,
            "statuses": {s: sum(r.status == s for r in rows) for s in freshness.STATUSES}}


# ---- restatements that lost most rows ----------------------------------------------------

RESTATEMENT_DROP = "restatement_drop"  # the ingest's reason code (marmot.ingest.ingestor)


def restatement_state_path(home: Path) -> Path:
    return home / "notifications" / "restatements.json"


def _restatement_message(e, reason: dict) -> tuple[str, str, dict]:
    contract_id, periods = f"{e.partner}__{e.dataset}", ", ".join(reason["periods"])
    before, after = reason["rows_before"], reason["rows_after"]
    subject = f"[Marmot] {contract_id}: restatement of {periods} has {after} rows where it had {before}"
    body = (f"<p><b>{html.escape(contract_id)}</b>: the file <b>{html.escape(e.original_name)}</b> (batch "
            f"{html.escape(e.batch_id)}, received {html.escape(e.received_at[:16])}) restates {html.escape(periods)} "
            f"with <b>{after}</b> rows where the data it replaces had <b>{before}</b> "
            f"({100 * (before - after) / before:.0f}% fewer). It was loaded and replaces that data.</p>"
            "<p>A fall this large is more often a partial extract than a real change: please check with the "
            f"partner (their receipt asks them too: {html.escape(e.receipt_path)}).</p>")
    payload = {"event": RESTATEMENT_DROP, "contract_id": contract_id, "batch_id": e.batch_id,
               "file": e.original_name, "received_at": e.received_at, "periods": reason["periods"],
               "rows_before": before, "rows_after": after, "replaces": reason["replaces"], "receipt": e.receipt_path}
    return subject, body, payload


def restatements(home: Path, entries, context: dict | None = None, channels: list[str] | None = None) -> dict:
    """Tell the data team, once per batch and channel, about each ledger entry the ingest warned lost more of the
    rows it replaces than ``MARMOT_RESTATEMENT_MAX_DROP`` (the partner's receipt says so too)."""
    context = context if context is not None else {}
    channels = configured_channels() if channels is None else channels
    path = restatement_state_path(home)
    state = _load_state(path)
    sent, already, unsent = [], [], []
    for e in entries:
        for reason in (r for r in e.reasons if r["code"] == RESTATEMENT_DROP):
            if not channels:
                log.warning("no notification channel configured: restatement %s not notified", e.batch_id)
                unsent.append(e.batch_id)
                continue
            notifiers = _notifiers(channels, [data_team()], [], *_restatement_message(e, reason))
            (sent if _send_once(path, state, e.batch_id, {"dataset": f"{e.partner}__{e.dataset}"}, notifiers,
                                context) else already).append(e.batch_id)
    return {"channels": channels, "notified": sent, "already_notified": already, "no_channel": unsent}


# ---- failures --------------------------------------------------------------------------

class TeamFailureNotifier(BaseNotifier):
    """``on_failure_callback``: tell the data team (e-mail and webhook, whichever are configured)."""

    def notify(self, context) -> None:
        ti = context.get("ti") or context.get("task_instance")
        dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
        task_id = getattr(ti, "task_id", "?")
        run_id = getattr(context.get("dag_run"), "run_id", None) or context.get("run_id", "?")
        error = str(context.get("exception") or "")[:2000]
        subject = f"[Marmot] task failed: {dag_id}.{task_id} ({run_id})"
        body = (f"<p>Task <b>{html.escape(task_id)}</b> of <b>{html.escape(dag_id)}</b> failed in run "
                f"{html.escape(str(run_id))} (try {getattr(ti, 'try_number', '?')}).</p>"
                f"<pre>{html.escape(error)}</pre><p>See the task log in the Airflow UI.</p>")
        payload = {"event": "task_failed", "dag_id": dag_id, "task_id": task_id, "run_id": str(run_id),
                   "error": error}
        for ch, notifier in _notifiers(configured_channels(), [data_team()], [], subject, body, payload).items():
            try:
                notifier(dict(context))
            except Exception:  # a failing alert channel must not hide the other one
                log.exception("failure notification through %s failed", ch)


def on_failure():
    """A fresh notifier per DAG (``default_args={'on_failure_callback': on_failure()}``)."""
    return TeamFailureNotifier()
