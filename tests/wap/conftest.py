"""Fixtures of the write-audit-publish tests (helpers live in wap_helpers.py)."""

from __future__ import annotations

import pytest
from wap.wap_helpers import write_build

from marmot.settings import Paths


@pytest.fixture
def built(home) -> Paths:
    """A home whose build warehouse holds valid marts (no dbt needed)."""
    write_build(home)
    return home
