"""The portal's fixtures: a home with three kinds of user, the app and a client of it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marmot.contracts import load_contracts
from marmot.portal.app import create_app
from marmot.settings import Paths
from portal.helpers import make_users


@pytest.fixture(scope="module")
def contracts():
    return load_contracts()


@pytest.fixture
def portal_home(home, contracts) -> Paths:
    make_users(home, contracts)
    return home


@pytest.fixture
def app(portal_home, contracts):
    return create_app(portal_home, contracts, secure_cookies=False)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c
