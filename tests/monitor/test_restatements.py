"""A restatement that loses most of the rows of the data it replaces: the data team is told, through real SMTP and
HTTP servers, once per batch and channel, by the ingest itself and again by the daily run after a failed send."""

from __future__ import annotations

import json

from ingest.data import CLAIMANT_HEADER, claimant, csv_bytes, land
from orchestration.servers import SmtpServer, WebhookServer

from marmot.ingest.ingestor import reference_codes
from marmot.ingest.ledger import read_all
from marmot.monitor import notify
from marmot.orchestration import pipeline
from marmot.settings import DEFAULT_DATA_TEAM

LSOAS = reference_codes()["coventry_lsoa21"]


def _land_april(home, name: str, rows: int) -> None:
    data = csv_bytes([claimant(0, month="2025-04", lsoa21_code=LSOAS[i]) for i in range(rows)], CLAIMANT_HEADER)
    land(home.landing, "dwp", "claimant_count", name, data)


def test_the_ingest_tells_the_data_team_once(home, monkeypatch):
    with SmtpServer() as smtp, WebhookServer() as hook:
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_SMTP", smtp.conn_uri)
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_WEBHOOK", hook.conn_uri)
        _land_april(home, "april.csv", 190)
        pipeline.ingest(home)
        assert smtp.messages == [] and hook.posts == []  # a first delivery replaces nothing
        _land_april(home, "april again.csv", 25)
        [batch] = pipeline.ingest(home)["batches"]
        assert len(smtp.messages) == 1 and len(hook.posts) == 1
        rcpt, msg = smtp.messages[0]
        assert rcpt == [DEFAULT_DATA_TEAM]  # the team; the partner has the receipt
        assert msg["Subject"] == "[Marmot] dwp__claimant_count: restatement of 2025-04 has 25 rows where it had 190"
        body = "".join(part.get_payload(decode=True).decode() for part in msg.walk() if not part.is_multipart())
        assert "<b>april again.csv</b>" in body and "(87% fewer)" in body
        post = hook.posts[0]
        assert (post["event"], post["batch_id"], post["periods"], post["rows_before"], post["rows_after"]) == (
            "restatement_drop", batch["batch_id"], ["2025-04"], 190, 25)
        again = notify.restatements(home.home, read_all(home.ledger))  # e.g. the daily run
        assert again["notified"] == [] and again["already_notified"] == [batch["batch_id"]]
        assert len(smtp.messages) == 1 and len(hook.posts) == 1


def test_a_send_that_failed_at_ingest_is_made_by_the_daily_run(home, monkeypatch):
    with SmtpServer() as smtp:
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_SMTP", smtp.conn_uri)
        dead = WebhookServer()
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_WEBHOOK", dead.conn_uri)
        dead.server.server_close()  # nothing listens: the webhook fails
        _land_april(home, "april.csv", 40)
        pipeline.ingest(home)
        _land_april(home, "april partial.csv", 10)
        assert pipeline.ingest(home)["by_status"] == {"accepted_with_warnings": 1}  # loaded all the same
        assert len(smtp.messages) == 1
        with WebhookServer() as hook:
            monkeypatch.setenv("AIRFLOW_CONN_MARMOT_WEBHOOK", hook.conn_uri)
            result = notify.restatements(home.home, read_all(home.ledger))
            assert len(result["notified"]) == 1 and len(hook.posts) == 1
            assert len(smtp.messages) == 1  # e-mail not sent twice
        state = json.loads(notify.restatement_state_path(home.home).read_text())
        assert set(state[result["notified"][0]]["channels"]) == {"email", "webhook"}
