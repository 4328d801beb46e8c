"""Results of pure, costly computations of a dbt Python model kept between builds: ``warehouse/<name>.json``.

Keys hash the inputs and the code (the model's concern); the file holds exactly the entries the last
successful run of the model used, so it never grows with history. A full build (``MARMOT_DBT_FULL_BUILD=1``,
set by ``marmot.build.dbt`` for ``--full-refresh`` and after code changes) starts empty: everything is
computed again, and the result is what the next builds reuse.
"""

from __future__ import annotations

import json

from marmot.atomic import write_text
from marmot.settings import dbt_full_build, marmot_home


class JsonCache(dict):
    def __init__(self, name: str):
        super().__init__()
        self.path = marmot_home() / "warehouse" / f"{name}.json"

    def load(self) -> JsonCache:
        if not dbt_full_build() and self.path.exists():
            try:
                self.update(json.loads(self.path.read_text()))
            except ValueError:  # a damaged cache is only a slower build
                self.clear()
        return self

    def save(self) -> None:
        write_text(self.path, json.dumps(self, sort_keys=True))
