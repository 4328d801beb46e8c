"""The typed contract model: unknown keys refused, every problem of every file reported at once with
its file and key path, each transport's settings, the committed JSON Schema, and no import of the
monitor from the contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from marmot.contracts import SCHEMA_FILE, ContractError, HttpApi, json_schema, load_contracts

CONTRACTS_DIR = load_contracts()["early_years__eyfsp"].path.parent  # the repository's contracts


def _eyfsp() -> dict:
    return yaml.safe_load((CONTRACTS_DIR / "early_years__eyfsp.yml").read_text())


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ContractError) as exc:
        load_contracts(folder)
    return str(exc.value).splitlines()


def _write(folder: Path, raw: dict, name: str = "early_years__eyfsp.yml") -> Path:
    (folder / name).write_text(yaml.safe_dump(raw))
    return folder


@pytest.mark.parametrize("where, key_path", [
    ((), "unknown keys ['colour']; allowed: ['columns', 'contact', "),
    (("schedule",), "schedule: unknown keys ['colour']; allowed: ['due', 'first_period', 'frequency', "),
    (("columns", 2), "columns[2]: unknown keys ['colour']; allowed: ['aliases', 'allowed', 'check', "),
    (("columns", 0, "personal"), "columns[0].personal: unknown keys ['colour']; allowed: ['output', 'treatment']"),
    (("transport",), "transport type 'landing_folder' has unknown settings ['colour']; allowed: ['sheet']"),
    (("retention",), "retention: unknown keys ['colour']; allowed: ['archive_days']"),
    (("limits",), "limits: unknown keys ['colour']; allowed: ['max_columns', "),
    (("period",), "period: unknown keys ['colour']; allowed: ['column'"),
])
def test_an_unknown_key_is_refused_where_it_is(tmp_path, where, key_path):
    raw = _eyfsp()
    place = raw
    for part in where:
        place = place.setdefault(part, {}) if isinstance(part, str) else place[part]  # a block left to its defaults
    place["colour"] = "blue"
    [problem] = _problems(_write(tmp_path, raw))
    assert problem.startswith(f"{tmp_path}/early_years__eyfsp.yml: {key_path}"), problem


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    eyfsp = _eyfsp()
    eyfsp["columns"][3]["type"] = "text"
    eyfsp["schedule"]["frequency"] = "weekly"
    crime = yaml.safe_load((CONTRACTS_DIR / "police__recorded_crime.yml").read_text())
    crime["transport"]["page_size"] = "a thousand"
    crime["columns"][0]["personal"] = {"treatment": "encrypt"}
    del crime["owner"]
    _write(tmp_path, eyfsp)
    _write(tmp_path, crime, "police__recorded_crime.yml")
    (tmp_path / "broken__yaml.yml").write_text("partner: [unclosed\n")
    problems = _problems(tmp_path)
    column = eyfsp["columns"][3]["name"]
    assert sorted(problems) == sorted([
        f"{tmp_path}/broken__yaml.yml: not valid YAML at line 2, column 1: did not find expected ',' or ']'",
        f"{tmp_path}/early_years__eyfsp.yml: columns[3].type: column {column!r} has type 'text'; "
        "use one of ['boolean', 'date', 'integer', 'number', 'string']",
        f"{tmp_path}/early_years__eyfsp.yml: schedule.frequency 'weekly' must be one of "
        "['annual', 'monthly', 'quarterly']",
        f"{tmp_path}/police__recorded_crime.yml: missing key 'owner'",
        f"{tmp_path}/police__recorded_crime.yml: transport.page_size 'a thousand': "
        "Input should be a valid integer, unable to parse string as an integer",
        f"{tmp_path}/police__recorded_crime.yml: columns[0].personal.treatment 'encrypt' must be one of "
        "['drop', 'generalise', 'pseudonymise']",
    ])


@pytest.mark.parametrize("transport, needs", [
    ({"type": "sftp", "conn_id": "marmot_sftp_x", "remote_dir": "/out"}, ["conn_id", "remote_dir"]),
    ({"type": "http_api", "conn_id": "marmot_api_x", "endpoint": "/v1/x"}, ["conn_id", "endpoint"]),
    ({"type": "object_storage", "conn_id": "marmot_s3_x", "bucket": "drops"}, ["conn_id", "bucket"]),
    ({"type": "landing_folder"}, []),
])
def test_each_transport_type_needs_its_settings(tmp_path, transport, needs):
    raw = _eyfsp()
    raw["transport"] = transport
    assert load_contracts(_write(tmp_path, raw))["early_years__eyfsp"].transport.type == transport["type"]
    raw["transport"] = {"type": transport["type"]}
    if not needs:
        assert load_contracts(_write(tmp_path, raw))
        return
    assert _problems(_write(tmp_path, raw)) == [
        f"{tmp_path}/early_years__eyfsp.yml: transport type {transport['type']!r} needs setting {k!r}" for k in needs]


def test_transport_settings_are_typed_with_their_defaults(tmp_path):
    raw = _eyfsp()
    raw["transport"] = {"type": "http_api", "conn_id": "marmot_api_x", "endpoint": "/v1/x", "max_retries": "3"}
    transport = load_contracts(_write(tmp_path, raw))["early_years__eyfsp"].transport
    assert isinstance(transport, HttpApi)
    assert (transport.max_retries, transport.page_param, transport.backoff_seconds, transport.period_param) == (
        3, "page", 1.0, None)
    raw["transport"]["max_retries"] = "often"
    assert _problems(_write(tmp_path, raw)) == [
        f"{tmp_path}/early_years__eyfsp.yml: transport.max_retries 'often': "
        "Input should be a valid integer, unable to parse string as an integer"]


def test_a_due_written_as_a_number_reads_as_days(tmp_path):
    raw = _eyfsp()
    raw["schedule"]["due"] = 20
    assert load_contracts(_write(tmp_path, raw))["early_years__eyfsp"].schedule.due == "20"


def test_first_period_is_one_of_the_schedules_periods(tmp_path):
    raw = _eyfsp()  # academic years
    schedule = load_contracts(_write(tmp_path, raw))["early_years__eyfsp"].schedule
    assert (schedule.first_period, schedule.periods_ahead) == (None, 0)  # any past period, nothing ahead
    raw["schedule"]["first_period"] = "2019/20"
    assert load_contracts(_write(tmp_path, raw))["early_years__eyfsp"].schedule.first_period == "2019/20"
    raw["schedule"]["first_period"] = "2019"
    assert _problems(_write(tmp_path, raw)) == [
        f"{tmp_path}/early_years__eyfsp.yml: schedule: first_period '2019' is not a period of period_type "
        "'academic_year': write it as YYYY/YY (1 Sep to 31 Aug), e.g. '2024/25'"]
    raw["schedule"].update(first_period="2019/20", periods_ahead=-1)
    assert _problems(_write(tmp_path, raw)) == [
        f"{tmp_path}/early_years__eyfsp.yml: schedule.periods_ahead -1: Input should be greater than or equal to 0"]


def test_limits_have_defaults_and_a_contract_may_set_its_own(tmp_path):
    raw = _eyfsp()
    limits = load_contracts(_write(tmp_path, raw))["early_years__eyfsp"].limits
    assert (limits.max_rows, limits.max_columns, limits.max_uncompressed_mb) == (1_000_000, 200, 128)
    raw["limits"] = {"max_rows": 5000}
    limits = load_contracts(_write(tmp_path, raw))["early_years__eyfsp"].limits
    assert (limits.max_rows, limits.max_columns) == (5000, 200)
    raw["limits"] = {"max_rows": 0, "max_bytes": 10}
    assert [p.split(": ", 1)[1] for p in _problems(_write(tmp_path, raw))] == [
        "limits.max_rows 0: Input should be greater than 0",
        "limits: unknown keys ['max_bytes']; allowed: ['max_columns', 'max_rows', 'max_uncompressed_mb']"]


def test_the_committed_json_schema_is_the_models():
    committed = (CONTRACTS_DIR / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == json_schema(), "run: marmot contracts schema --write"


def test_editors_validating_against_the_schema_agree_with_the_loader():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(json_schema()))
    for path in sorted(CONTRACTS_DIR.glob("*.yml")):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path.name
    raw = _eyfsp()
    raw["columns"][0]["colour"] = "blue"
    raw["transport"] = {"type": "sftp", "conn_id": "marmot_sftp_x"}
    assert {e.json_path for e in validator.iter_errors(raw)} == {"$.columns[0]", "$.transport"}


def test_the_schema_command_writes_the_file(tmp_path):
    from marmot.cli import main

    assert main(["contracts", "schema", "--write", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / SCHEMA_FILE).read_text(encoding="utf-8") == json_schema()


def test_importing_the_contracts_does_not_import_the_monitor():
    code = "import sys, marmot.contracts; print(sorted(m for m in sys.modules if m.startswith('marmot.monitor')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    import marmot.contracts

    sources = Path(marmot.contracts.__file__).parent.glob("*.py")
    assert not [p.name for p in sources if "marmot.monitor" in p.read_text()]  # not even a lazy import
