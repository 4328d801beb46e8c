"""The Fingertips pull against a real HTTP server on 127.0.0.1 serving the bulk CSV in its real format, and
ingest of what it lands under ingestion/contracts/ohid__fingertips.yml."""

from __future__ import annotations

import csv
import io
import json

import pytest

from land.servers import FingertipsApi
from marmot.contracts import PeriodError, load_contracts
from marmot.ingest.ingestor import Ingestor
from marmot.land.transports import pull
from marmot.land.transports.base import TransportError
from marmot.settings import dbt_project_dir

CONTRACT = load_contracts()["ohid__fingertips"]
# the headings the Fingertips exporter writes (PholioVisualisation CsvBuilderIndicatorDataHeaderWriter, parent
# area type 6: the 23rd is named after it), then "Time period range" that newer API versions add
HEADER = ["Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type",
          "Sex", "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
          "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note",
          "Recent Trend", "Compared to England value or percentiles",
          "Compared to Regions (statistical) value or percentiles", "Time period Sortable", "New data",
          "Compared to goal", "Time period range"]
AREAS = [("", "", "E92000001", "England", "England"),
         ("E92000001", "England", "E12000005", "West Midlands region", "Region"),
         ("E12000005", "West Midlands region", "E08000026", "Coventry", "Counties & UAs (from Apr 2023)")]


def _rows(period="2021 - 23", indicator=90366, sex="Male"):
    return [[indicator, "Life expectancy at birth", pc, pn, code, name, kind, sex, "All ages", "", "", period,
             78.1 + i, 77.9 + i, 78.3 + i, 77.8 + i, 78.4 + i, "", "", "", "", "Similar", "Similar",
             int(period[:4]) * 10000, "", "", "3y"] for i, (pc, pn, code, name, kind) in enumerate(AREAS)]


def _csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode()


def _conn(monkeypatch, port):
    monkeypatch.setenv("AIRFLOW_CONN_MARMOT_API_FINGERTIPS", json.dumps(
        {"conn_type": "http", "host": "127.0.0.1", "port": port, "schema": "http"}))


def _fast():
    return CONTRACT.model_copy(update={"transport": CONTRACT.transport.model_copy(update={"backoff_seconds": 0.01})})


def test_contract_asks_for_every_mapped_fingertips_indicator():
    with open(dbt_project_dir() / "seeds" / "comparators" / "fingertips_indicators.csv", newline="") as f:
        mapped = {int(r["fingertips_indicator_id"]) for r in csv.DictReader(f)}
    assert set(CONTRACT.transport.indicator_ids) == mapped
    assert (CONTRACT.transport.child_area_type_id, CONTRACT.transport.parent_area_type_id) == (502, 6)


def test_pull_lands_the_bulk_csv_once_after_retries_and_ingest_accepts_it(home, monkeypatch):
    body = _csv(_rows("2021 - 23") + _rows("2020 - 22") + _rows("2022/23", 93085, "Female"))
    api = FingertipsApi(body, faults=[503, 500])
    with api.serve() as port:
        _conn(monkeypatch, port)
        [landed] = pull(home, _fast())
        assert pull(home, _fast()) == []  # the same content is not landed again
    path, query = api.asked[-1]
    assert path == "/api/all_data/csv/by_indicator_id"
    assert query == {"indicator_ids": [",".join(map(str, CONTRACT.transport.indicator_ids))],
                     "child_area_type_id": ["502"], "parent_area_type_id": ["6"]}
    assert len(api.asked) == 4 and landed.read_bytes() == body
    [entry] = Ingestor(home).run("ohid")
    assert (entry.status, entry.rows_loaded, entry.rows_rejected) == ("accepted", 9, 0)
    assert sorted(entry.periods) == ["2020 - 22", "2021 - 23", "2022/23"]


def test_a_web_page_instead_of_the_csv_lands_nothing(home, monkeypatch):
    api = FingertipsApi(b"<!DOCTYPE html><html><body>Service unavailable</body></html>", content_type="text/html")
    with api.serve() as port:
        _conn(monkeypatch, port)
        with pytest.raises(TransportError, match="not a Fingertips CSV"):
            pull(home, _fast())
    folder = home.landing / "ohid" / "fingertips"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_period_cannot_be_asked_for(home):
    with pytest.raises(PeriodError, match="holding every period"):
        pull(home, CONTRACT, period="2024")


def test_pull_gives_up_after_its_retries(home, monkeypatch):
    with FingertipsApi(b"", faults=[500] * 10).serve() as port:
        _conn(monkeypatch, port)
        contract = _fast()
        contract = contract.model_copy(update={"transport": contract.transport.model_copy(update={"max_retries": 1})})
        with pytest.raises(TransportError, match="HTTP 500 after 2 attempts"):
            pull(home, contract)


def _ingest(home, name, body):
    folder = home.landing / "ohid" / "fingertips"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(body)
    [entry] = Ingestor(home).run("ohid")
    receipt = (home.home / entry.receipt_path).read_text() if entry.receipt_path else ""
    return entry, json.dumps(entry.reasons) + receipt


def test_a_file_without_area_codes_is_quarantined_with_a_receipt_naming_the_column(home):
    header = [h for h in HEADER if h != "Area Code"]
    rows = [[v for h, v in zip(HEADER, row, strict=True) if h != "Area Code"] for row in _rows()]
    entry, receipt = _ingest(home, "no_area.csv", _csv(rows, header))
    assert entry.status == "quarantined" and entry.rows_loaded == 0
    assert "missing_required_column" in receipt and "area_code" in receipt


def test_rows_with_a_malformed_period_or_a_suppression_marker_are_rejected_with_reasons(home):
    rows = _rows()
    rows[1][HEADER.index("Time period")] = "2021-23"  # not how Fingertips writes a pooled period
    rows[2][HEADER.index("Value")] = "*"
    entry, receipt = _ingest(home, "bad_rows.csv", _csv(rows))
    assert (entry.rows_loaded, entry.rows_rejected) == (1, 2)
    assert '"code": "bad_pattern", "column": "time_period"' in receipt
    assert '"code": "suppressed_value", "column": "value"' in receipt
