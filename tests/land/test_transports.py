"""Pulls over SFTP, an HTTP API and S3 object storage, each against a real server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from ingest.data import ADMISSIONS_HEADER, admission, crime, csv_bytes, ltc

from land.servers import PagedApi, s3_server, sftp_server
from marmot.contracts import load_contracts
from marmot.ingest.ingestor import Ingestor
from marmot.land.transports import pull
from marmot.land.transports.base import TransportError

CONTRACTS = load_contracts()


def _contract(cid: str, **settings):
    c = CONTRACTS[cid]
    return c.model_copy(update={"transport": c.transport.model_copy(update=settings)})


def _landed(home, contract):
    folder = home.landing / contract.partner / contract.dataset
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# -- SFTP ---------------------------------------------------------------------------------------
def _sftp_conn(monkeypatch, port, host_key, **extra_fields):
    conn = {"conn_type": "sftp", "host": "127.0.0.1", "port": port, "login": "uhcw",
            "extra": {"host_key": host_key, **extra_fields.pop("extra", {})}, **extra_fields}
    monkeypatch.setenv("AIRFLOW_CONN_MARMOT_SFTP_HOSPITAL", json.dumps(conn))


def test_sftp_pull_lands_new_files_once_and_ingest_loads_them(home, tmp_path, monkeypatch):
    remote = tmp_path / "sftp-root" / "outgoing" / "admissions"
    remote.mkdir(parents=True)
    (remote / "admissions 2025-04.csv").write_bytes(csv_bytes([admission(i) for i in range(5)], ADMISSIONS_HEADER))
    (remote / "readme.txt").write_text("not an extract")
    contract = CONTRACTS["hospital__admissions"]
    with sftp_server(tmp_path / "sftp-root", "uhcw", "s3cret-sftp-pw") as (port, host_key):
        _sftp_conn(monkeypatch, port, host_key, password="s3cret-sftp-pw")
        [landed] = pull(home, contract)
        assert landed.name == "admissions 2025-04.csv"
        assert landed.read_bytes() == (remote / "admissions 2025-04.csv").read_bytes()
        assert pull(home, contract) == []  # remembered: nothing fetched again
        [entry] = Ingestor(home).run("hospital")
        assert (entry.status, entry.rows_loaded) == ("accepted", 5)
        assert pull(home, contract) == []  # still remembered after ingest removed the landed file
        (remote / "admissions 2025-04.csv").write_bytes(csv_bytes([admission(i) for i in range(6)], ADMISSIONS_HEADER))
        [again] = pull(home, contract)  # changed remotely (size/mtime): fetched again
        assert again.read_bytes().count(b"\n") == 7
    for path in home.home.rglob("*"):
        assert not path.is_file() or b"s3cret-sftp-pw" not in path.read_bytes(), path


def test_sftp_with_a_client_key_and_a_wrong_host_key_is_refused(home, tmp_path, monkeypatch):
    import asyncssh

    client_key = asyncssh.generate_private_key("ssh-ed25519")
    (tmp_path / "root" / "outgoing" / "admissions").mkdir(parents=True)
    (tmp_path / "root" / "outgoing" / "admissions" / "a.csv").write_bytes(
        csv_bytes([admission(1)], ADMISSIONS_HEADER))
    contract = CONTRACTS["hospital__admissions"]
    with sftp_server(tmp_path / "root", "uhcw", "unused-password",
                     client_public_key=client_key.export_public_key().decode()) as (port, host_key):
        pem = client_key.export_private_key("openssh").decode()
        impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
        _sftp_conn(monkeypatch, port, impostor, extra={"private_key": pem})
        with pytest.raises(TransportError, match="SFTP connection 'marmot_sftp_hospital'.*failed"):
            pull(home, contract)
        assert _landed(home, contract) == []
        _sftp_conn(monkeypatch, port, host_key, extra={"private_key": pem})
        assert [p.name for p in pull(home, contract)] == ["a.csv"]


def test_missing_connection_is_a_clear_error(home, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_MARMOT_SFTP_HOSPITAL", raising=False)
    with pytest.raises(TransportError, match="AIRFLOW_CONN_MARMOT_SFTP_HOSPITAL"):
        pull(home, CONTRACTS["hospital__admissions"])


# -- HTTP API -----------------------------------------------------------------------------------
TOKEN = "tok-CANARY-7f3e9a1b2c4d"


def _api_conn(monkeypatch, port, token=TOKEN):
    monkeypatch.setenv("AIRFLOW_CONN_MARMOT_API_POLICE", json.dumps(
        {"conn_type": "http", "host": "127.0.0.1", "port": port, "schema": "http", "password": token}))


@pytest.mark.parametrize("ndjson", [False, True])
def test_http_pull_pages_retries_429_and_5xx_and_never_logs_the_token(home, monkeypatch, caplog, capfd, ndjson):
    caplog.set_level(logging.DEBUG)
    pages = [[crime(i) for i in range(4)], [crime(i, "2025-05") for i in range(4)]]
    api = PagedApi(TOKEN, pages, ndjson=ndjson, faults={(1, 1): 429, (2, 1): 500, (2, 2): 503})
    contract = _contract("police__recorded_crime", records_key="data", backoff_seconds=0.05)
    with api.serve() as port:
        _api_conn(monkeypatch, port)
        [landed] = pull(home, contract)
        statuses = [(p, s) for p, s, _ in api.requests]
        assert statuses == [(1, 429), (1, 200), (2, 500), (2, 503), (2, 200), (3, 200)]
        waited = api.requests[1][2] - api.requests[0][2]
        assert waited >= 0.95, f"Retry-After: 1 not honoured (waited {waited:.2f}s)"
        lines = landed.read_text().splitlines()
        assert [json.loads(x) for x in lines] == pages[0] + pages[1]
        assert pull(home, contract) == []  # unchanged data is not landed again
    [entry] = Ingestor(home).run("police")
    assert (entry.status, entry.rows_loaded, entry.periods) == ("accepted", 8, ["2025-04", "2025-05"])
    out, err = capfd.readouterr()
    assert "retry" in caplog.text  # the retries were logged...
    assert TOKEN not in caplog.text + out + err  # ...without the token
    for path in home.home.rglob("*"):
        assert not path.is_file() or TOKEN.encode() not in path.read_bytes(), path


def test_http_pull_gives_up_after_retries_and_lands_nothing(home, monkeypatch):
    api = PagedApi(TOKEN, [[crime(1)]], faults={(1, n): 500 for n in range(1, 10)})
    contract = _contract("police__recorded_crime", max_retries=2, backoff_seconds=0.01)
    with api.serve() as port:
        _api_conn(monkeypatch, port)
        with pytest.raises(TransportError, match="HTTP 500 after 3 attempts"):
            pull(home, contract)
    assert len(api.requests) == 3
    assert _landed(home, contract) == []


def test_http_wrong_token_is_refused_without_echoing_it(home, monkeypatch):
    api = PagedApi(TOKEN, [[crime(1)]])
    with api.serve() as port:
        _api_conn(monkeypatch, port, token="tok-WRONG-123456")
        with pytest.raises(TransportError, match="HTTP 401 .*check the token") as exc:
            pull(home, CONTRACTS["police__recorded_crime"])
    assert "tok-WRONG" not in str(exc.value)
    assert len(api.requests) == 1  # 4xx other than 429 is not retried


# -- S3 object storage --------------------------------------------------------------------------
def test_object_storage_pull_fetches_each_object_version_once(home, monkeypatch):
    import boto3
    import pyarrow as pa
    import pyarrow.parquet as pq

    contract = CONTRACTS["icb__long_term_conditions"]
    with s3_server() as endpoint:
        creds = {"aws_access_key_id": "AKIAMARMOTTEST", "aws_secret_access_key": "secret-CANARY-s3-key"}
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2", **creds)
        s3.create_bucket(Bucket="icb-extracts", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pylist([ltc(i) for i in range(4)]), buf)
        s3.put_object(Bucket="icb-extracts", Key="long_term_conditions/ltc 2025-Q1.parquet", Body=buf.getvalue())
        s3.put_object(Bucket="icb-extracts", Key="elsewhere/other.csv", Body=b"x\n1\n")
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_S3_ICB", json.dumps({
            "conn_type": "aws", "login": creds["aws_access_key_id"], "password": creds["aws_secret_access_key"],
            "extra": {"endpoint_url": endpoint, "region_name": "eu-west-2"}}))
        [landed] = pull(home, contract)
        assert landed.name == "ltc 2025-Q1.parquet" and landed.read_bytes() == buf.getvalue()
        assert pull(home, contract) == []
        [entry] = Ingestor(home).run("icb")
        assert (entry.status, entry.rows_loaded) == ("accepted", 4)
        time.sleep(0.01)
        s3.put_object(Bucket="icb-extracts", Key="long_term_conditions/ltc 2025-Q1.parquet", Body=b"quarter\n")
        assert [p.name for p in pull(home, contract)] == ["ltc 2025-Q1.parquet"]  # new ETag: fetched
    for path in home.home.rglob("*"):
        assert not path.is_file() or b"secret-CANARY-s3-key" not in path.read_bytes(), path
