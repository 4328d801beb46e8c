"""`dbt docs generate` works on the built project: every mart in the catalogue, exposures declared."""

from __future__ import annotations

import json
import shutil

from marmot.build.dbt import dbt_env, run_dbt
from marmot.settings import Paths


def test_docs_generate_catalogues_every_mart_with_its_described_columns(built, tmp_path, monkeypatch):
    # a copy of the built home: other tests of the session hold the warehouse open read-only,
    # and DuckDB refuses a second, read-write connection to the same file in one process
    built = Paths(shutil.copytree(built.home, tmp_path / "home"))
    for key, value in dbt_env(built).items():  # run_dbt sets these; monkeypatch puts them back
        monkeypatch.setenv(key, value)
    run_dbt(built, ["docs", "generate"])
    catalog = json.loads((built.dbt_target / "catalog.json").read_text())
    manifest = json.loads((built.dbt_target / "manifest.json").read_text())
    marts = {n["name"]: n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["name"].startswith("mart_")}
    assert len(marts) >= 7
    for node in marts.values():
        unique_id = node["unique_id"]
        assert unique_id in catalog["nodes"], f"{unique_id} missing from catalog.json"
        assert node["description"], unique_id
        undescribed = [c for c, col in node["columns"].items() if not col["description"]]
        assert not undescribed, (unique_id, undescribed)
        assert node["config"]["contract"]["enforced"], unique_id
    assert manifest["exposures"], "no exposure declares the published views"
    assert (built.dbt_target / "index.html").exists()
