from pathlib import Path

import pytest
import yaml

from marmot.contracts import PERIOD_SETTINGS, ContractError, load_contracts, normalise_header
from marmot.settings import contracts_dir


def test_every_contract_in_the_repo_is_valid():
    contracts = load_contracts()
    assert "early_years__eyfsp" in contracts
    for c in contracts.values():
        assert c.owner and "@" in c.contact, c.id
        assert c.principles, c.id


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    (tmp_path / name).write_text(yaml.safe_dump(data))
    return tmp_path


def test_broken_contract_lists_every_problem(tmp_path):
    raw = yaml.safe_load((contracts_dir() / "early_years__eyfsp.yml").read_text())
    raw["columns"][0]["type"] = "text"
    raw["columns"][1]["pattern"] = "(["
    raw["principles"] = ["P9_unknown"]
    raw["key"] = ["upn"]
    del raw["owner"]
    _write(tmp_path, "early_years__eyfsp.yml", raw)
    with pytest.raises(ContractError) as exc:
        load_contracts(tmp_path)
    # a missing required key stops the check of that file: fix it and the rest is reported
    assert "missing key 'owner'" in str(exc.value)
    raw["owner"] = "someone"
    _write(tmp_path, "early_years__eyfsp.yml", raw)
    with pytest.raises(ContractError) as exc:
        load_contracts(tmp_path)
    message = str(exc.value)
    assert "has type 'text'" in message
    assert "pattern does not compile" in message
    assert "unknown principles ['P9_unknown']" in message
    assert "the key must hold the period column 'academic_year'" in message


def test_contract_file_name_must_match_partner_and_dataset(tmp_path):
    raw = yaml.safe_load((contracts_dir() / "early_years__eyfsp.yml").read_text())
    _write(tmp_path, "wrong_name.yml", raw)
    with pytest.raises(ContractError, match="must be named early_years__eyfsp.yml"):
        load_contracts(tmp_path)


def test_header_claimed_by_two_columns_is_an_error(tmp_path):
    raw = yaml.safe_load((contracts_dir() / "early_years__eyfsp.yml").read_text())
    raw["columns"][2]["aliases"].append("DOB")
    _write(tmp_path, "early_years__eyfsp.yml", raw)
    with pytest.raises(ContractError, match="header 'dob' is claimed by"):
        load_contracts(tmp_path)


@pytest.mark.parametrize("raw, expected", [
    ("Academic Year", "academic_year"), ("  LSOA21CD ", "lsoa21cd"), ("Free-School-Meals", "free_school_meals"),
])
def test_header_normalisation(raw, expected):
    assert normalise_header(raw) == expected


@pytest.mark.parametrize("transport, message", [
    ({"type": "ftp"}, "transport.type is 'ftp'; use one of"),
    ({"type": "sftp", "conn_id": "marmot_sftp_x"}, "transport type 'sftp' needs setting 'remote_dir'"),
    ({"type": "http_api", "endpoint": "/x"}, "transport type 'http_api' needs setting 'conn_id'"),
    ({"type": "object_storage", "conn_id": "s3", "bucket": "b", "password": "x"},
     "transport type 'object_storage' has unknown settings ['password']"),
    ({"type": "sftp", "conn_id": "Bad Id", "remote_dir": "/out"},
     "transport.conn_id 'Bad Id' must be a snake_case Airflow connection id"),
    ("sftp", "transport must be a mapping"),
    ({"type": "http_api", "conn_id": "api", "endpoint": "/x", "period_param": "the month"},
     "transport.period_param 'the month' must be a query parameter name such as 'month'"),
    ({"type": "http_api", "conn_id": "api", "endpoint": "/x", "period_param": "page"},
     "transport.period_param 'page' is already used for page_param"),
    ({"type": "sftp", "conn_id": "sftp", "remote_dir": "/out", "period_pattern": "admissions.csv"},
     "transport.period_pattern 'admissions.csv' must be a file-name pattern containing '{period}' once"),
    ({"type": "object_storage", "conn_id": "s3", "bucket": "b", "period_pattern": "{period}/{year}.csv"},
     "transport.period_pattern '{period}/{year}.csv' may contain only '{period}'"),
    ({"type": "landing_folder", "period_pattern": "x_{period}.csv"},
     "transport type 'landing_folder' has unknown settings ['period_pattern']"),
])
def test_transport_section_is_checked(tmp_path, transport, message):
    raw = yaml.safe_load((contracts_dir() / "early_years__eyfsp.yml").read_text())
    raw["transport"] = transport
    _write(tmp_path, "early_years__eyfsp.yml", raw)
    with pytest.raises(ContractError) as exc:
        load_contracts(tmp_path)
    assert f"early_years__eyfsp.yml: {message}" in str(exc.value)


def test_pulled_transports_name_their_connection_and_nothing_secret():
    for c in load_contracts().values():
        if c.transport.type != "landing_folder":
            assert c.transport.conn_id.startswith("marmot_"), c.id
            assert not {"password", "token", "secret", "key"} & set(type(c.transport).model_fields), c.id


def test_schedule_due_is_checked(tmp_path):
    raw = yaml.safe_load((contracts_dir() / "early_years__eyfsp.yml").read_text())
    raw["schedule"]["due"] = "31st March"
    _write(tmp_path, "early_years__eyfsp.yml", raw)
    with pytest.raises(ContractError, match="schedule.due '31st March' must be a number of days"):
        load_contracts(tmp_path)


def test_schedule_period_type_is_checked(tmp_path):
    raw = yaml.safe_load((contracts_dir() / "early_years__eyfsp.yml").read_text())
    raw["schedule"]["period_type"] = "school_term"
    _write(tmp_path, "early_years__eyfsp.yml", raw)
    with pytest.raises(ContractError, match="schedule.period_type 'school_term' must be one of"):
        load_contracts(tmp_path)


def test_the_pulled_contracts_say_how_to_ask_for_one_period():
    """Every pull that can ask for one period says how (the Fingertips bulk CSV holds every period)."""
    pulled = [c for c in load_contracts().values() if c.transport.type in PERIOD_SETTINGS]
    assert pulled and all(c.period_setting for c in pulled), [c.id for c in pulled if not c.period_setting]
