"""Uploads: a hostile name never becomes a path, a planted link never leads the file out of the landing area,
the size limit holds, and the pre-check page shows ingest's own findings, what a restatement replaces and a
duplicate."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from marmot.ingest import ledger
from marmot.portal import accounts, uploads
from marmot.portal.uploads import safe_name
from portal.helpers import A, csrf_of, extract, sign_in

LANDED = re.compile(r"[0-9]{8}T[0-9]{6}_[0-9a-f]{6}_[A-Za-z0-9][A-Za-z0-9._-]*")
HOSTILE = ["../../x.csv", "/etc/passwd", "/tmp/evil.csv", "a\x00b.csv", "..\\..\\x.csv", "..\\x",
           "x" * 900 + ".csv", "données élèves ①.csv", ".hidden.csv", "..", ".", "CON", "a/../../b.csv",
           "name\nwith newline.csv", "%2e%2e%2fx.csv", "ok.csv\u202egnp.exe"]


@pytest.mark.parametrize(("sent", "safe"), [
    ("../../x.csv", "x.csv"), ("/etc/passwd", "passwd"), ("a\x00b.csv", "a_b.csv"), ("..\\x", "x"),
    ("données.csv", "donn_es.csv"), ("", "upload"), ("..", "upload"), (".hidden.CSV", "hidden.csv"),
    ("x" * 5000 + ".csv", "x" * 80 + ".csv"), ("report.tar.gz", "report.tar.gz"), ("①.xlsx", "1.xlsx")])
def test_a_sent_name_becomes_one_safe_name(sent, safe):
    assert safe_name(sent) == safe


def every_file(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not p.is_dir() or p.is_symlink()}


@pytest.fixture
def api(app, portal_home, contracts):
    token = accounts.add_token(portal_home, contracts, "skills", "api")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def test_hostile_names_land_only_as_safe_names_in_the_datasets_folder(api, portal_home, tmp_path):
    outside = every_file(tmp_path.parent)
    data = extract(tmp_path, rows=3).read_bytes()
    csv_named = 0
    for i, sent in enumerate(HOSTILE):
        r = api.post("/api/datasets/job_shop_clients/uploads",
                     files={"file": (sent, data + b"\n" * i, "text/csv")})
        assert r.status_code == 201, (sent, r.text)
        if safe_name(sent).endswith(".csv"):
            csv_named += 1
            assert r.json()["landed_as"] and LANDED.fullmatch(r.json()["landed_as"]), (sent, r.json())
        else:  # no .csv left in the name: ingest would not know the format, so nothing lands
            assert r.json()["landed_as"] is None and r.json()["precheck"]["status"] == "quarantined", sent
            assert r.json()["precheck"]["problems"][-1]["code"] == "unsupported_format"
    r = api.post("/api/datasets/job_shop_clients/uploads", files={"file": ("y" * 20000 + ".csv", data)})
    assert r.status_code == 400  # a header that long is refused by the form parser before anything is kept
    r = api.post("/api/datasets/job_shop_clients/uploads", files={"file": ("", data)})
    assert r.status_code == 400  # no name: a plain form field, not a file
    folder = portal_home.landing / "skills" / "job_shop_clients"
    landed = sorted(os.listdir(folder))
    assert csv_named >= 10 and len(landed) == csv_named, landed
    assert all(LANDED.fullmatch(n) and len(n) < 120 for n in landed), landed
    assert sorted(os.listdir(portal_home.landing)) == ["skills"]
    assert sorted(os.listdir(portal_home.landing / "skills")) == ["job_shop_clients"]
    new = every_file(tmp_path.parent) - outside
    assert {p for p in new if not p.is_relative_to(portal_home.landing) and not p.is_relative_to(portal_home.portal)
            and not p.is_relative_to(tmp_path)} == set()


@pytest.mark.parametrize("linked", ["skills", "skills/job_shop_clients"])
def test_a_link_planted_in_the_landing_area_is_never_followed(api, portal_home, tmp_path, linked):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "job_shop_clients").mkdir(parents=True)
    link = portal_home.landing / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere if linked == "skills" else elsewhere / "job_shop_clients")
    r = api.post("/api/datasets/job_shop_clients/uploads", files={"file": ("x.csv", extract(tmp_path).read_bytes())})
    assert r.status_code == 409 and "landing folder" in r.json()["detail"]
    assert every_file(elsewhere) == set()
    assert link.is_symlink()  # left for the data team; nothing written through it


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(api, portal_home, tmp_path, monkeypatch):
    monkeypatch.setenv("MARMOT_PORTAL_MAX_UPLOAD_MB", "1")
    r = api.post("/api/datasets/job_shop_clients/uploads", files={"file": ("big.csv", b"x" * 1_200_000)})
    assert r.status_code == 413 and "1 MB" in r.json()["detail"]
    assert not (portal_home.landing / "skills").exists()
    assert list((portal_home.portal / "uploads").glob("*/*")) == []


def test_an_upload_that_does_not_say_its_length_is_refused_before_it_is_read(api, portal_home):
    def body():  # a generator: sent chunked, with no Content-Length
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\n"
        yield b"a,b\r\n1,2\r\n--b--\r\n"

    r = api.post("/api/datasets/job_shop_clients/uploads", content=body(),
                 headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 411 and "Content-Length" in r.json()["detail"]
    assert not (portal_home.portal / "uploads").exists() or list((portal_home.portal / "uploads").iterdir()) == []


def upload_page(client, tmp_path, path: Path):
    sign_in(client, "alice")
    form = client.get(f"/datasets/{A}")
    r = client.post(f"/datasets/{A}/uploads", data={"csrf": csrf_of(form.text)},
                    files={"file": (path.name, path.read_bytes())}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"], client.get(r.headers["location"])


def test_rows_with_problems_are_listed_with_ingests_reasons_and_nothing_lands_until_sent(client, portal_home,
                                                                                         tmp_path):
    where, page = upload_page(client, tmp_path, extract(tmp_path, rows=10, bad_rows=2))
    text = page.text
    assert "10 rows: 8 would load, 2 would be rejected" in text
    # ingest's own findings, worded as ingest words them (marmot/ingest/problems.py), each with what to do
    problems = uploads.load(portal_home, where.rsplit("/", 1)[1]).precheck["problems"]
    assert {(p["code"], p["column"]) for p in problems} == {
        ("not_a_number", "age"), ("bad_pattern", "lsoa21_code")}  # a malformed code is not also "not in the list"
    for p in problems:
        assert str(escape(p["message"])) in text and str(escape(p["fix"])) in text
    assert "What to do:" in text and "<td>twenty</td>" in text and "<td>E99999999</td>" in text
    assert not (portal_home.landing / "skills").exists()
    upload_id = where.rsplit("/", 1)[1]
    r = client.post(f"/uploads/{upload_id}/send", data={"csrf": csrf_of(text)}, follow_redirects=False)
    assert r.status_code == 303
    assert len(os.listdir(portal_home.landing / "skills" / "job_shop_clients")) == 1
    assert "Waiting for it to be loaded" in client.get(where).text


def test_a_file_that_would_be_quarantined_cannot_be_sent(client, portal_home, tmp_path):
    bad = tmp_path / "no_age.csv"
    bad.write_text("financial_year,client_id,lsoa21_code,disabled,into_work\n2025/26,C1,E01009522,N,Y\n")
    where, page = upload_page(client, tmp_path, bad)
    (problem,) = uploads.load(portal_home, where.rsplit("/", 1)[1]).precheck["problems"]
    assert problem["code"] == "missing_required_column" and problem["column"] == "age"
    assert "This file would not load" in page.text and str(escape(problem["message"])) in page.text
    assert "/send" not in page.text
    r = client.post(f"{where}/send", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 409 and not (portal_home.landing / "skills").exists()


def _loaded(paths, rows: int, sha: str = "f" * 64) -> ledger.Entry:
    entry = ledger.Entry(batch_id=f"20261001T090000000000Z-{sha[:12]}", partner="skills", dataset="job_shop_clients",
                         original_name="september.csv", sha256=sha, bytes=1, received_at="2026-10-01T09:00:00+00:00",
                         status="accepted", archive_path="", rows_in=rows, rows_loaded=rows, periods=["2025/26"])
    ledger.write(paths.ledger, entry)
    return entry


def test_a_restatement_shows_what_it_replaces_and_warns_of_a_sharp_drop(client, portal_home, tmp_path):
    _loaded(portal_home, 100)
    where, page = upload_page(client, tmp_path, extract(tmp_path, rows=50))
    assert "What this file replaces" in page.text and "september.csv" in page.text
    assert "50 rows for 2025/26 where the data it replaces has 100: 50% fewer" in page.text
    assert "and replace the earlier data" in page.text
    assert not (portal_home.landing / "skills").exists()  # a restatement is sent only when asked


def test_a_small_drop_is_shown_without_a_warning(client, portal_home, tmp_path):
    _loaded(portal_home, 55)
    _, page = upload_page(client, tmp_path, extract(tmp_path, rows=50))
    assert "What this file replaces" in page.text and "fewer" not in page.text


def test_an_identical_file_is_a_duplicate(client, portal_home, tmp_path):
    import hashlib

    path = extract(tmp_path, rows=5)
    _loaded(portal_home, 5, hashlib.sha256(path.read_bytes()).hexdigest())
    _, page = upload_page(client, tmp_path, path)
    assert "We already have this exact file" in page.text and "september.csv" in page.text
    assert "/send" not in page.text
