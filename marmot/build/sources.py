"""The dbt sources of the partner datasets, generated from the contracts so that dbt never lists them again.

One ``dbt_project/models/staging/<partner>/_<partner>__sources.yml`` per partner: a table per contract with
its title, grain, owner and contact, and a freshness derived from its schedule by the platform's one rule
for "late" (``marmot.monitor.freshness.source_freshness_days``). ``marmot contracts dbt-sources --write``
rewrites them after a contract changes; tests/build/test_sources.py fails while they are out of date.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import yaml

from marmot.atomic import write_text
from marmot.contracts import Contract
from marmot.monitor.freshness import source_freshness_days

HEADER = ("# Generated from ingestion/contracts/{partner}__*.yml by `marmot contracts dbt-sources --write`:\n"
          "# edit the contracts, not this file.\n")
# one immutable Parquet file per accepted batch (macros/current_batch_rows.sql reads the current ones)
LOCATION = ("read_parquet('{{{{ env_var('MARMOT_HOME') }}}}/warehouse/raw/{partner}/{{name}}/*.parquet', "
            "union_by_name = true)")


def _table(contract: Contract) -> dict:
    warn, error = source_freshness_days(contract)
    return {
        "name": contract.dataset,
        "description": f"{contract.title}; {contract.grain}. Contract: ingestion/contracts/{contract.id}.yml.",
        "meta": {"owner": contract.owner, "contact": contract.contact},
        "freshness": {"warn_after": {"count": warn, "period": "day"},
                      "error_after": {"count": error, "period": "day"}},
    }


def sources_yaml(partner: str, contracts: list[Contract]) -> str:
    """The sources file of one partner's contracts."""
    source = {
        "name": partner,
        "description": f"{contracts[0].partner_name}. Contracts: ingestion/contracts/{partner}__*.yml.",
        "meta": {"external_location": LOCATION.format(partner=partner)},
        "loaded_at_field": "_received_at",
        "tables": [_table(c) for c in sorted(contracts, key=lambda c: c.dataset)],
    }
    body = yaml.safe_dump({"version": 2, "sources": [source]}, sort_keys=False, width=1000, allow_unicode=True)
    return HEADER.format(partner=partner) + body


def expected_files(contracts: dict[str, Contract], staging: Path) -> dict[Path, str]:
    """Path -> content of every partner's sources file under the dbt project's ``models/staging``."""
    ordered = sorted(contracts.values(), key=lambda c: c.partner)
    return {staging / partner / f"_{partner}__sources.yml": sources_yaml(partner, list(group))
            for partner, group in groupby(ordered, key=lambda c: c.partner)}


def write(contracts: dict[str, Contract], staging: Path) -> list[Path]:
    """Write the files that differ from what the contracts give; return them."""
    changed = []
    for path, text in expected_files(contracts, staging).items():
        if not path.exists() or path.read_text() != text:
            write_text(path, text)
            changed.append(path)
    return changed
