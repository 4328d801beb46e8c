"""Two full builds of the same data publish the same bytes (the incremental build's equivalent is in
test_incremental_staging). Parallel sums of doubles and unordered lists once made the marts differ in
the last bits, which rounding then turned into different published values."""

from __future__ import annotations

import shutil

from build.published_bytes import differing, published_bytes
from marmot.orchestration import pipeline
from marmot.settings import Paths


def test_two_full_builds_of_the_same_data_publish_identical_bytes(built, tmp_path):
    again = Paths(tmp_path / "again")
    shutil.copytree(built.home, again.home, symlinks=True)
    assert pipeline.build(again, full_refresh=True)["full_refresh"]
    first = published_bytes(built, tmp_path / "first")
    second = published_bytes(again, tmp_path / "second")
    assert not differing(first, second)
