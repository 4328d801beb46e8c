from pathlib import Path

import pytest
import yaml

from marmot.contracts import ContractError, load_contracts, normalise_header
from marmot.settings import CONTRACTS_DIR


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
    raw = yaml.safe_load((CONTRACTS_DIR / "early_years__eyfsp.yml").read_text())
    raw["columns"][0]["type"] = "text"
    raw["columns"][1]["pattern"] = "(["
    raw["principles"] = ["P9_unknown"]
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


def test_contract_file_name_must_match_partner_and_dataset(tmp_path):
    raw = yaml.safe_load((CONTRACTS_DIR / "early_years__eyfsp.yml").read_text())
    _write(tmp_path, "wrong_name.yml", raw)
    with pytest.raises(ContractError, match="must be named early_years__eyfsp.yml"):
        load_contracts(tmp_path)


def test_header_claimed_by_two_columns_is_an_error(tmp_path):
    raw = yaml.safe_load((CONTRACTS_DIR / "early_years__eyfsp.yml").read_text())
    raw["columns"][2]["aliases"].append("DOB")
    _write(tmp_path, "early_years__eyfsp.yml", raw)
    with pytest.raises(ContractError, match="header 'dob' is claimed by"):
        load_contracts(tmp_path)


@pytest.mark.parametrize("raw, expected", [
    ("Academic Year", "academic_year"), ("  LSOA21CD ", "lsoa21cd"), ("Free-School-Meals", "free_school_meals"),
])
def test_header_normalisation(raw, expected):
    assert normalise_header(raw) == expected
