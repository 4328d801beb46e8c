"""Pulling one historical period (issue 8): a manual run's ``period``, ``marmot pull --period`` and
Airflow backfill runs, each against the real servers of tests/ingest/servers.py on 127.0.0.1."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import UTC, date, datetime

import airflow.sdk  # noqa: F401  # importing Airflow resets the root log handlers: do it before caplog adds its own
import pytest
from ingest.data import ADMISSIONS_HEADER, admission, crime, csv_bytes, ltc

from land.servers import PagedApi, s3_server, sftp_server
from land.test_transports import TOKEN, _api_conn, _landed, _sftp_conn
from marmot import cli
from marmot.contracts import PeriodError, load_contracts
from marmot.ingest.ingestor import Ingestor
from marmot.land.transports import check_period, period_for_run, pull
from marmot.land.transports.base import TransportError

CONTRACTS = load_contracts()


# -- HTTP API: ?month=<period> -----------------------------------------------------------------
def test_http_pull_of_one_period_asks_for_it_and_names_the_file_by_it(home, monkeypatch):
    march = [[crime(i, "2025-03") for i in range(3)]]
    april = [[crime(i, "2025-04") for i in range(4)], [crime(i, "2025-04") for i in range(4, 6)]]
    api = PagedApi(TOKEN, march + april, periods={"2025-03": march, "2025-04": april})
    police = CONTRACTS["police__recorded_crime"]
    contract = police.model_copy(update={"transport": police.transport.model_copy(update={"records_key": "data"})})
    assert contract.transport.period_param == "month"
    with api.serve() as port:
        _api_conn(monkeypatch, port)
        [landed] = pull(home, contract, period="2025-04")
        assert re.fullmatch(r"recorded_crime_2025-04_[0-9a-f]{12}\.ndjson", landed.name)  # the period shows
        assert [json.loads(x) for x in landed.read_text().splitlines()] == april[0] + april[1]
        assert api.asked == ["2025-04"] * 3  # pages 1, 2 and the empty page 3, each with month=2025-04
        assert pull(home, contract, period="2025-04") == []  # same period, same content: already seen
        [other] = pull(home, contract, period="2025-03")  # another period is remembered on its own
        assert other.name.startswith("recorded_crime_2025-03_")
        api.periods["2025-04"] = [april[0]]  # the partner restated April
        [again] = pull(home, contract, period="2025-04")
        assert len(again.read_text().splitlines()) == 4
        assert pull(home, contract, period="2025-02") == []  # nothing for that period: nothing landed
    entries = Ingestor(home).run("police")
    assert sorted(p for e in entries for p in e.periods) == ["2025-03", "2025-04", "2025-04"]


# -- SFTP: period_pattern '*{period}*.csv' ------------------------------------------------------
def test_sftp_pull_of_one_period_fetches_only_its_file(home, tmp_path, monkeypatch):
    remote = tmp_path / "sftp-root" / "outgoing" / "admissions"
    remote.mkdir(parents=True)
    for k, month in enumerate(["2025-03", "2025-04", "2025-05"]):
        (remote / f"admissions {month}.csv").write_bytes(
            csv_bytes([admission(10 * k + i, month) for i in range(3)], ADMISSIONS_HEADER))
    contract = CONTRACTS["hospital__admissions"]
    with sftp_server(tmp_path / "sftp-root", "uhcw", "pw-sftp") as (port, host_key):
        _sftp_conn(monkeypatch, port, host_key, password="pw-sftp")
        assert [p.name for p in pull(home, contract, period="2025-04")] == ["admissions 2025-04.csv"]
        assert pull(home, contract, period="2025-04") == []  # already fetched
        # the scheduled pull shares the memory: it fetches the other two, not April again
        assert [p.name for p in pull(home, contract)] == ["admissions 2025-03.csv", "admissions 2025-05.csv"]
        assert pull(home, contract, period="2025-03") == []
    [april] = [e for e in Ingestor(home).run("hospital") if e.periods == ["2025-04"]]
    assert (april.status, april.rows_loaded) == ("accepted", 3)


# -- S3: period_pattern '*{period}*' -----------------------------------------------------------
def test_object_storage_pull_of_one_period_fetches_only_its_object(home, monkeypatch, caplog):
    import boto3
    import pyarrow as pa
    import pyarrow.parquet as pq

    contract = CONTRACTS["icb__long_term_conditions"]
    with s3_server() as endpoint:
        creds = {"aws_access_key_id": "AKIAMARMOTTEST", "aws_secret_access_key": "secret-s3-key"}
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2", **creds)
        s3.create_bucket(Bucket="icb-extracts", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        bodies = {}
        for quarter in ("2024-Q4", "2025-Q1", "2025-Q2"):
            buf = io.BytesIO()
            pq.write_table(pa.Table.from_pylist([ltc(i, quarter) for i in range(4)]), buf)
            bodies[quarter] = buf.getvalue()
            s3.put_object(Bucket="icb-extracts", Key=f"long_term_conditions/ltc {quarter}.parquet", Body=buf.getvalue())
        monkeypatch.setenv("AIRFLOW_CONN_MARMOT_S3_ICB", json.dumps({
            "conn_type": "aws", "login": creds["aws_access_key_id"], "password": creds["aws_secret_access_key"],
            "extra": {"endpoint_url": endpoint, "region_name": "eu-west-2"}}))
        [landed] = pull(home, contract, period="2025-Q1")
        assert landed.name == "ltc 2025-Q1.parquet" and landed.read_bytes() == bodies["2025-Q1"]
        assert pull(home, contract, period="2025-Q1") == []
        caplog.set_level(logging.WARNING)
        assert pull(home, contract, period="2023-Q3") == []
        assert "no object for period 2023-Q3" in caplog.text  # said, not silently nothing
    assert _landed(home, contract) == ["ltc 2025-Q1.parquet"]


# -- which period a run pulls -------------------------------------------------------------------
@pytest.mark.parametrize("cid, on, period", [
    # monthly, due 25 days after the month ends: May is due 25 June
    ("police__recorded_crime", date(2025, 6, 24), "2025-04"),
    ("police__recorded_crime", date(2025, 6, 25), "2025-05"),
    ("police__recorded_crime", date(2026, 1, 2), "2025-11"),
    # an aware run date is read in London: 23:30 UTC on 30 April is already 1 May there
    ("police__recorded_crime", datetime(2025, 4, 30, 23, 30, tzinfo=UTC), "2025-03"),
    ("hospital__admissions", datetime(2025, 6, 20, 6, 0, tzinfo=UTC), "2025-05"),  # due 20 days after
    # quarterly, due 30 days after the quarter ends: Q1 due 30 April
    ("icb__long_term_conditions", date(2025, 4, 29), "2024-Q4"),
    ("icb__long_term_conditions", date(2025, 4, 30), "2025-Q1"),
    ("icb__long_term_conditions", date(2025, 10, 30), "2025-Q3"),
    # annual: calendar year due 31 Dec after it ends; financial year due 31 Mar; academic year due 31 Jan
    ("census__households_2021", date(2025, 12, 30), "2023"),
    ("census__households_2021", date(2025, 12, 31), "2024"),
    ("dwp__children_low_income", date(2025, 3, 31), "2023/24"),
    ("dwp__children_low_income", date(2025, 3, 30), "2022/23"),
    ("schools__ks4_results", date(2026, 1, 31), "2024/25"),
])
def test_a_backfill_run_pulls_the_period_due_at_its_date(cid, on, period):
    contract = CONTRACTS[cid]
    assert contract.period_due_on(on) == period
    assert contract.check_period(period) == period  # written as the contract's period_type says


def test_period_for_run_asked_for_wins_backfill_derives_scheduled_fetches_what_is_new():
    from airflow.sdk.api.datamodels._generated import DagRunType

    c = CONTRACTS["police__recorded_crime"]
    when = datetime(2025, 6, 26, 6, 0, tzinfo=UTC)
    assert period_for_run(c, requested=None, run_type=DagRunType.BACKFILL, run_date=when) == "2025-05"
    assert period_for_run(c, requested=" 2024-02 ", run_type=DagRunType.BACKFILL, run_date=when) == "2024-02"
    assert period_for_run(c, requested="2024-02", run_type=DagRunType.MANUAL, run_date=when) == "2024-02"
    assert period_for_run(c, requested=None, run_type=DagRunType.SCHEDULED, run_date=when) is None
    assert period_for_run(c, requested=None, run_type=DagRunType.MANUAL, run_date=None) is None
    assert period_for_run(c, requested="", run_type="manual", run_date=None) is None


# -- clear errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("cid, period, message", [
    ("police__recorded_crime", "2025-4", "period '2025-4' is not a month .*write it as YYYY-MM, e.g. '2025-04'"),
    ("police__recorded_crime", "2025-13", "not a month"),
    ("police__recorded_crime", "April 2025", "not a month"),
    ("icb__long_term_conditions", "2025-03", r"not a quarter .*YYYY-Qn"),
    ("dwp__children_low_income", "2024/26", r"not a financial year .*YYYY/YY"),
    ("dwp__children_low_income", "2024-25", r"not a financial year"),
])
def test_a_period_in_the_wrong_form_is_refused_before_connecting(home, monkeypatch, cid, period, message):
    for var in ("AIRFLOW_CONN_MARMOT_API_POLICE", "AIRFLOW_CONN_MARMOT_S3_ICB"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(PeriodError, match=message):
        pull(home, CONTRACTS[cid], period=period)
    with pytest.raises(PeriodError, match=message):
        period_for_run(CONTRACTS[cid], requested=period, run_type="backfill", run_date=date(2025, 6, 1))


def test_a_contract_that_cannot_ask_for_a_period_says_which_setting_is_missing(home, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_MARMOT_SFTP_HOSPITAL", raising=False)
    c = CONTRACTS["hospital__admissions"]
    without = c.model_copy(update={"transport": c.transport.model_copy(update={"period_pattern": None})})
    with pytest.raises(PeriodError, match=r"add transport.period_pattern to ingestion/contracts/hospital__admissions"):
        pull(home, without, period="2025-04")
    with pytest.raises(TransportError, match="AIRFLOW_CONN_MARMOT_SFTP_HOSPITAL"):
        pull(home, without)  # without a period it pulls as before (here: no connection configured)
    with pytest.raises(PeriodError, match="landing folder"):
        check_period(CONTRACTS["early_years__eyfsp"], "2024/25")


# -- marmot pull --period -----------------------------------------------------------------------
def test_cli_pull_period(home, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        cli.main(["pull", "--help"])
    assert "--period" in capsys.readouterr().out
    assert cli.main(["pull", "--partner", "police", "--period", "2025-4"]) == 2
    assert "write it as YYYY-MM" in capsys.readouterr().err
    april = [[crime(i, "2025-04") for i in range(2)]]
    api = PagedApi(TOKEN, [], ndjson=True, periods={"2025-04": april})
    with api.serve() as port:
        _api_conn(monkeypatch, port)
        assert cli.main(["pull", "--partner", "police", "--dataset", "recorded_crime", "--period", "2025-04"]) == 0
    assert "police__recorded_crime: 1 new file(s) over http_api for period 2025-04" in capsys.readouterr().out
    assert set(api.asked) == {"2025-04"}
