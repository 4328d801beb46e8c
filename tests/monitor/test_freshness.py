"""Freshness (expected vs received periods) and chasing late extracts through real SMTP and HTTP servers."""

from __future__ import annotations

import json
from datetime import date

import pytest
from orchestration.servers import SmtpServer, WebhookServer

from marmot.contracts import load_contracts
from marmot.ingest.ledger import Entry
from marmot.monitor import freshness, notify
from marmot.settings import DEFAULT_DATA_TEAM

CONTRACTS = load_contracts()


def entry(contract_id: str, periods: list[str], received_at: str, status: str = "accepted") -> Entry:
    partner, dataset = contract_id.split("__")
    return Entry(batch_id=f"b-{received_at}-{status}", partner=partner, dataset=dataset, original_name="x.csv",
                 sha256="0" * 64, bytes=1, received_at=received_at, status=status, archive_path="a",
                 periods=periods)


@pytest.mark.parametrize("contract_id, as_of, period, due", [
    ("early_years__eyfsp", "2026-11-23", "2025/26", "2026-10-31"),        # academic year, month-day due
    ("dwp__claimant_count", "2026-11-23", "2026-10", "2026-11-20"),       # month + 20 days
    ("ons__deaths", "2026-11-23", "2026-09", "2026-10-28"),               # 2026-10 is due 11-28: not yet
    ("housing__homelessness_cases", "2026-11-23", "2026-Q3", "2026-11-14"),  # quarter + 45 days
    ("skills__job_shop_clients", "2026-11-23", "2025/26", "2026-04-30"),  # financial year, quarterly refresh
    ("climate__air_quality", "2026-06-30", "2025", "2026-06-30"),         # due day itself counts
    ("climate__air_quality", "2026-06-29", "2024", "2025-06-30"),
])
def test_latest_expected_period_and_its_due_date(contract_id, as_of, period, due):
    expected = freshness.expected_periods(CONTRACTS[contract_id], date.fromisoformat(as_of))
    assert expected[0] == (period, date.fromisoformat(due))
    assert all(d <= date.fromisoformat(as_of) for _, d in expected)


def test_on_time_late_and_missing_from_the_ledger():
    c = CONTRACTS["dwp__claimant_count"]  # monthly, due 20 days after the month
    entries = [
        entry(c.id, ["2026-08"], "2026-09-18T10:00:00+00:00"),                        # before due 09-20
        entry(c.id, ["2026-07"], "2026-08-25T10:00:00+00:00", status="superseded"),   # after due 08-20
        entry(c.id, ["2026-06"], "2026-07-01T10:00:00+00:00", status="quarantined"),  # does not count
    ]
    rows = {r.period: r for r in freshness.assess([c], entries, date(2026, 11, 23))}
    assert rows["2026-10"].status == "late" and not rows["2026-10"].received  # 3 days overdue (grace 7)
    assert rows["2026-09"].status == "missing" and rows["2026-09"].days_overdue == 34
    assert rows["2026-08"].status == "on_time"
    assert rows["2026-07"].status == "late" and rows["2026-07"].received
    assert rows["2026-06"].status == "missing"
    assert [r.period for r in freshness.to_chase(list(rows.values()))] == ["2026-10"]


def test_chase_notifies_partner_and_team_once_per_late_period(home, monkeypatch):
    c = CONTRACTS["early_years__eyfsp"]
    with SmtpServer() as smtp, WebhookServer() as hook:
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_SMTP", smtp.conn_uri)
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_WEBHOOK", hook.conn_uri)
        first = notify.chase(home.home, [c], [], date(2026, 11, 23))
        assert first["notified"] == ["early_years__eyfsp/2025/26"] and first["channels"] == ["email", "webhook"]
        assert len(smtp.messages) == 1 and len(hook.posts) == 1
        rcpt, msg = smtp.messages[0]
        assert set(rcpt) == {c.contact, DEFAULT_DATA_TEAM}
        assert "2025/26" in msg["Subject"] and "missing" in msg["Subject"]
        assert hook.posts[0]["event"] == "extract_missing" and hook.posts[0]["period"] == "2025/26"

        again = notify.chase(home.home, [c], [], date(2026, 11, 24))  # the next daily run
        assert again["notified"] == [] and again["already_notified"] == ["early_years__eyfsp/2025/26"]
        assert len(smtp.messages) == 1 and len(hook.posts) == 1

        received = [entry(c.id, ["2025/26"], "2026-11-25T08:00:00+00:00")]
        assert notify.chase(home.home, [c], received, date(2026, 11, 26))["notified"] == []
        state = json.loads(freshness.state_path(home.home).read_text())
        assert set(state["early_years__eyfsp/2025/26"]["channels"]) == {"email", "webhook"}


def test_a_failed_channel_is_retried_alone(home, monkeypatch):
    c = CONTRACTS["dwp__claimant_count"]
    with SmtpServer() as smtp:
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_SMTP", smtp.conn_uri)
        dead = WebhookServer()
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_WEBHOOK", dead.conn_uri)
        dead.server.server_close()  # nothing listens: the webhook fails
        with pytest.raises(OSError):
            notify.chase(home.home, [c], [], date(2026, 11, 23))
        assert len(smtp.messages) == 1
        with WebhookServer() as hook:
            monkeypatch.setenv("AIRFLOW_CONN_MARMOT_WEBHOOK", hook.conn_uri)
            result = notify.chase(home.home, [c], [], date(2026, 11, 23))
            assert result["notified"] == ["dwp__claimant_count/2026-10"]
            assert len(hook.posts) == 1 and len(smtp.messages) == 1  # e-mail not sent twice


def test_unconfigured_channels_are_skipped(home, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_MARMOT_SMTP", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_MARMOT_WEBHOOK", raising=False)
    result = notify.chase(home.home, [CONTRACTS["early_years__eyfsp"]], [], date(2026, 11, 23))
    assert result["channels"] == [] and result["notified"] == []
    assert result["no_channel"] == ["early_years__eyfsp/2025/26"]
    assert not freshness.state_path(home.home).exists()


def test_failure_notifier_tells_the_data_team(monkeypatch):
    class TI:
        dag_id, task_id, try_number = "ingest__early_years__eyfsp", "ingest", 3

    with SmtpServer() as smtp, WebhookServer() as hook:
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_SMTP", smtp.conn_uri)
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_WEBHOOK", hook.conn_uri)
        notify.on_failure()({"ti": TI(), "run_id": "manual__1", "exception": ValueError("boom")})
    assert smtp.messages[0][0] == [DEFAULT_DATA_TEAM]
    assert "ingest__early_years__eyfsp.ingest" in smtp.messages[0][1]["Subject"]
    assert hook.posts == [{"event": "task_failed", "dag_id": "ingest__early_years__eyfsp", "task_id": "ingest",
                           "run_id": "manual__1", "error": "boom"}]
