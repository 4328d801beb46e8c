"""`dbt docs generate` works on the built project: every mart in the catalogue, exposures declared,
and every column of every model and seed described by more than its own name."""

from __future__ import annotations

import json
import re
import shutil

from marmot.build.dbt import dbt_env, run_dbt
from marmot.settings import Paths


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def weak_descriptions(catalog: dict, manifest: dict) -> list[str]:
    """``node.column`` of every model and seed column that has no description, or one that only
    repeats the column's name (``lsoa21_code: Lsoa21 code.``)."""
    weak = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed"):
            continue
        described = {name.lower(): column["description"] for name, column in node["columns"].items()}
        for name in catalog["nodes"].get(unique_id, {}).get("columns", {}):
            description = described.get(name.lower(), "")
            if not description.strip() or _words(description) == _words(name):
                weak.append(f"{node['name']}.{name}")
    return weak


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
    weak = weak_descriptions(catalog, manifest)
    assert not weak, f"columns without a description beyond their name: {weak}"
    assert manifest["exposures"], "no exposure declares the published views"
    assert (built.dbt_target / "index.html").exists()


def test_a_missing_or_name_only_description_is_found():
    catalog = {"nodes": {"model.m.stg": {"columns": {"lsoa21_code": {}, "AGE": {}, "sex": {}, "year": {}}}}}
    manifest = {"nodes": {"model.m.stg": {"resource_type": "model", "name": "stg", "columns": {
        "lsoa21_code": {"description": "Lsoa21 code."}, "age": {"description": "Age in years at admission."},
        "sex": {"description": "  "}}}}}
    assert weak_descriptions(catalog, manifest) == ["stg.lsoa21_code", "stg.sex", "stg.year"]
