"""The dbt sources of the partner datasets are generated from the contracts (marmot/build/sources.py)."""

from __future__ import annotations

import shutil

import yaml

from marmot.build import sources
from marmot.cli import main
from marmot.contracts import load_contracts
from marmot.monitor.freshness import GRACE_DAYS, source_freshness_days
from marmot.settings import dbt_project_dir

CONTRACTS = load_contracts()
STAGING = dbt_project_dir() / "models" / "staging"


def test_the_committed_sources_files_are_what_the_contracts_give(capsys):
    stale = [str(p) for p, text in sources.expected_files(CONTRACTS, STAGING).items()
             if not p.exists() or p.read_text() != text]
    assert stale == [], "run `marmot contracts dbt-sources --write`"
    assert main(["contracts", "dbt-sources"]) == 0


def test_every_contract_is_a_source_table_with_its_owner_and_nothing_else_is():
    tables = {}
    for path in sources.expected_files(CONTRACTS, STAGING):
        for source in yaml.safe_load(path.read_text())["sources"]:
            tables |= {f"{source['name']}__{t['name']}": t for t in source["tables"]}
    assert set(tables) == set(CONTRACTS)
    assert all(t["meta"]["owner"] == CONTRACTS[i].owner for i, t in tables.items())


def test_freshness_is_the_late_rule_a_period_apart():
    monthly, annual = CONTRACTS["police__recorded_crime"], CONTRACTS["schools__ks2_results"]
    assert source_freshness_days(monthly) == (31, 31 + GRACE_DAYS)
    assert source_freshness_days(annual)[0] in (365, 366)


def test_a_changed_contract_makes_the_check_fail_until_written(tmp_path, capsys):
    staging = tmp_path / "staging"
    shutil.copytree(STAGING, staging)
    changed = {**CONTRACTS, "police__recorded_crime": CONTRACTS["police__recorded_crime"].model_copy(
        update={"title": "Recorded crime, restated"})}
    assert [p.name for p in sources.write(changed, staging)] == ["_police__sources.yml"]
    assert "Recorded crime, restated" in (staging / "police" / "_police__sources.yml").read_text()
    assert sources.write(changed, staging) == []
