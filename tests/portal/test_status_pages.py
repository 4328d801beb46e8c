"""What the status pages say: what a dataset owes (monitor's ``dataset_status``), where its data is published
(``mart_indicator_metadata`` of the current publication, read-only), and the data team's late deliveries,
quarantined files and audit log."""

from __future__ import annotations

from marmot.ingest import ledger
from portal.helpers import A, publish_metadata, sign_in


def test_a_dataset_page_names_the_indicators_made_from_it(client, portal_home):
    publish_metadata(portal_home)
    sign_in(client, "alice")
    page = client.get(f"/datasets/{A}").text
    assert "Job Shop clients supported into work (Fair work, latest period 2025/26)" in page
    assert "Debt advice cases" not in page
    assert "Nothing received yet" in page and "Owed:" in page and "Next due:" in page


def test_without_a_publication_the_page_says_so(client):
    sign_in(client, "alice")
    assert "No indicator of the current publication is made from this dataset yet." in client.get(
        f"/datasets/{A}").text


def test_the_team_sees_late_deliveries_quarantines_and_the_audit_log(client, portal_home):
    bad = ledger.Entry(batch_id="20261120T080000000000Z-aaaaaaaaaaaa", partner="advice", dataset="advice_cases",
                       original_name="broken.xlsx", sha256="a" * 64, bytes=5, received_at="2026-11-20T08:00:00+00:00",
                       status="quarantined", archive_path="",
                       reasons=[{"code": "unreadable", "column": None, "message": "broken.xlsx could not be read",
                                 "fix": "Save it as CSV"}])
    ledger.write(portal_home.ledger, bad)
    sign_in(client, "alice", "a wrong password")
    sign_in(client, "dana")
    team = client.get("/team").text
    assert "broken.xlsx" in team and "broken.xlsx could not be read" in team
    late = team.split("Late and missing deliveries", 1)[1].split("Quarantined files", 1)[0]
    assert "Job Shop and Youth Hub clients" in late  # nothing received: its latest due period is owed
    log = client.get("/team/audit").text
    assert "login failure" in log and "login success" in log and "alice" in log and "dana" in log


def test_the_team_sees_every_partners_uploads_newest_first_and_a_partner_sees_no_such_list(client, portal_home):
    from marmot.portal import uploads

    def record(upload_id, partner, dataset, when, landed):
        uploads.save(portal_home, uploads.Upload(
            upload_id=upload_id, partner=partner, dataset=dataset, username=f"{partner}-user", name="x.csv",
            sent_name=f"{dataset}.csv", sha256="0" * 64, bytes=10, uploaded_at=when,
            precheck={"status": "accepted", "rows_in": 12, "rows_loaded": 10, "rows_rejected": 2},
            landed_at=landed))

    record("a" * 32, "skills", "job_shop_clients", "2026-11-20T08:00:00+00:00", "2026-11-20T08:01:00+00:00")
    record("b" * 32, "advice", "advice_cases", "2026-11-21T09:30:00+00:00", None)
    sign_in(client, "dana")
    team = client.get("/team").text.split("Latest uploads through the portal", 1)[1].split("Every dataset", 1)[0]
    assert team.index("advice_cases.csv") < team.index("job_shop_clients.csv")  # newest first
    assert f'href="/uploads/{"b" * 32}"' in team and "12 rows: 10 would load, 2 would be rejected" in team
    assert "2026-11-20 08:01" in team and "<td>no</td>" in team  # sent for loading, or not
    client.cookies.clear()
    sign_in(client, "alice")
    assert client.get("/team").status_code == 404
