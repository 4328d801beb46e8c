from __future__ import annotations

import pytest

from orchestration.helpers import generate_other_partners


@pytest.fixture(scope="session")
def other_partners(tmp_path_factory):
    return generate_other_partners(tmp_path_factory.mktemp("other_partners"))
