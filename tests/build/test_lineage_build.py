"""An increment builds only the lineage of the dataset that changed (marmot.build.lineage), and publishes
exactly what a full build of the same data publishes."""

from __future__ import annotations

import json
import shutil

from conftest import TEST_KEY, eyfsp_row, land_eyfsp

from build.test_incremental_staging import _assert_same_as_full_build, _staging_tables
from marmot.build import lineage
from marmot.orchestration import pipeline
from marmot.settings import Paths


def _built_nodes(paths: Paths) -> set[str]:
    return {r["unique_id"] for r in json.loads((paths.dbt_target / "run_results.json").read_text())["results"]}


def test_an_increment_of_one_dataset_builds_its_lineage_and_publishes_what_a_full_build_does(
        built, tmp_path, monkeypatch):
    home = Paths(tmp_path / "home")
    shutil.copytree(built.home, home.home, symlinks=True)
    monkeypatch.setenv("MARMOT_HOME", str(home.home))
    monkeypatch.setenv("MARMOT_PSEUDONYM_KEY", TEST_KEY)
    nothing_new = pipeline.build(home)  # records what each dataset held (the fixture's build may predate that)
    assert nothing_new["changed_datasets"] is None or nothing_new["changed_datasets"] == []
    every_node = len(json.loads((home.dbt_target / "manifest.json").read_text())["nodes"])

    land_eyfsp(home, "restated.csv", [eyfsp_row(i, year="2024/25", gld="N" if i % 3 else "Y") for i in range(40)])
    assert pipeline.ingest(home)["files"] == 1
    increment = pipeline.build(home)
    assert not increment["full_refresh"] and increment["changed_datasets"] == ["early_years__eyfsp"]
    nodes = _built_nodes(home)
    assert "model.marmot.stg_early_years__eyfsp" in nodes and "model.marmot.mart_indicator_values" in nodes
    assert "model.marmot.stg_hospital__admissions" not in nodes and not any(n.startswith("seed.") for n in nodes)
    assert increment["nodes"] < every_node / 2, (increment["nodes"], every_node)
    _assert_same_as_full_build(home, _staging_tables(home), tmp_path / "full")


def test_the_lineage_leaves_out_other_datasets_staging_but_keeps_every_platform_descendant():
    def node(name, *parents):
        return {"name": name, "depends_on": {"nodes": list(parents)}}

    ledger, a, b = "source.m.platform.ledger", "source.m.p.a", "source.m.p.b"
    nodes = {"model.m.stg_ledger": node("stg_ledger", ledger), "model.m.stg_a": node("stg_a", a, "model.m.stg_ledger"),
             "model.m.stg_b": node("stg_b", b, "model.m.stg_ledger"),
             "model.m.int_all": node("int_all", "model.m.stg_a", "model.m.stg_b"),
             "model.m.mart_sources": node("mart_sources", "model.m.stg_ledger"),
             "model.m.int_seeded": node("int_seeded", "seed.m.catalogue")}
    children: dict[str, list[str]] = {}
    for uid, n in nodes.items():
        for parent in n["depends_on"]["nodes"]:
            children.setdefault(parent, []).append(uid)
    children["model.m.stg_a"].append("test.m.not_null_stg_a")
    manifest = {"nodes": nodes, "child_map": children, "sources": {
        ledger: {"source_name": "platform", "name": "ledger"}, a: {"source_name": "p", "name": "a"},
        b: {"source_name": "p", "name": "b"}}}
    assert lineage.selection(manifest, {"p__a"}) == ["int_all", "mart_sources", "stg_a", "stg_ledger"]
    assert lineage.selection(manifest, set()) == ["mart_sources", "stg_ledger"]
    assert lineage.selection(manifest, {"p__a", "p__b"}) == ["int_all", "mart_sources", "stg_a", "stg_b",
                                                             "stg_ledger"]
