"""Every route of the portal with every kind of caller: anonymous, partner A's user, partner B's user, the data
team, and partner A's and B's API tokens. The routes are enumerated from the app, so a new route without a rule
here fails ``test_every_route_has_a_rule``. Partner B gets exactly what it would get for something that does not
exist (404, same body): nothing about A's datasets, deliveries or uploads is seen or inferred."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marmot.contracts import load_contracts
from marmot.ingest import ledger, receipts
from marmot.portal import accounts
from marmot.portal.app import create_app
from marmot.settings import Paths
from portal.helpers import A, B, csrf_of, extract, make_users, sign_in

ROLES = ("anonymous", "alice", "bob", "dana", "token_a", "token_b")
ANY = dict.fromkeys(ROLES, 200)
SIGNED_OUT_GET = {"anonymous": 303, "token_a": 303, "token_b": 303}
SIGNED_OUT_POST = {"anonymous": 403, "token_a": 403, "token_b": 403}
NO_API = {"anonymous": 401, "alice": 401, "bob": 401, "dana": 401}

# (method, route) -> role -> status, for A's dataset, delivery and upload
RULES: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): {**SIGNED_OUT_GET, "alice": 303, "bob": 303, "dana": 303},
    ("GET", "/login"): ANY,
    ("POST", "/login"): dict.fromkeys(ROLES, 403),  # no sign-in form's CSRF cookie
    ("POST", "/logout"): {**SIGNED_OUT_POST, "alice": 303, "bob": 303, "dana": 303},
    ("GET", "/datasets"): {**SIGNED_OUT_GET, "alice": 200, "bob": 200, "dana": 200},
    ("GET", "/datasets/{contract_id}"): {**SIGNED_OUT_GET, "alice": 200, "bob": 404, "dana": 200},
    ("GET", "/datasets/{contract_id}/deliveries/{batch_id}/receipt"):
        {**SIGNED_OUT_GET, "alice": 200, "bob": 404, "dana": 200},
    ("GET", "/datasets/{contract_id}/deliveries/{batch_id}/rejected.csv"):
        {**SIGNED_OUT_GET, "alice": 200, "bob": 404, "dana": 200},
    ("POST", "/datasets/{contract_id}/uploads"): {**SIGNED_OUT_POST, "alice": 303, "bob": 404, "dana": 403},
    ("GET", "/uploads/{upload_id}"): {**SIGNED_OUT_GET, "alice": 200, "bob": 404, "dana": 200},
    ("POST", "/uploads/{upload_id}/send"): {**SIGNED_OUT_POST, "alice": 303, "bob": 404, "dana": 403},
    ("POST", "/api/datasets/{dataset}/uploads"): {**NO_API, "token_a": 201, "token_b": 404},
    ("GET", "/api/uploads/{upload_id}"): {**NO_API, "token_a": 200, "token_b": 404},
    ("GET", "/team"): {**SIGNED_OUT_GET, "alice": 404, "bob": 404, "dana": 200},
    ("GET", "/team/audit"): {**SIGNED_OUT_GET, "alice": 404, "bob": 404, "dana": 200},
}


def _delivery(paths: Paths, contracts, contract_id: str, batch_id: str) -> str:
    contract = contracts[contract_id]
    entry = ledger.Entry(batch_id=batch_id, partner=contract.partner,
                         dataset=contract.dataset, original_name="october.csv", sha256="0123456789ab" + "0" * 52,
                         bytes=10, received_at="2026-11-01T10:00:00+00:00", status="accepted", archive_path="",
                         rows_in=3, rows_loaded=3, periods=["2025/26"])
    entry.receipt_path = str(receipts.write(paths, entry, contract).relative_to(paths.home))
    ledger.write(paths.ledger, entry)
    return entry.batch_id


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One home for the whole matrix: users, tokens, a delivery and an upload of each partner."""
    tmp = tmp_path_factory.mktemp("matrix")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MARMOT_HOME", str(tmp / "home"))
        mp.setenv("MARMOT_PSEUDONYM_KEY", "test-pseudonym-key-0123456789abcdef")
        paths, contracts = Paths((tmp / "home").resolve()), load_contracts()
        make_users(paths, contracts)
        tokens = {"token_a": accounts.add_token(paths, contracts, "skills", "a"),
                  "token_b": accounts.add_token(paths, contracts, "advice", "b")}
        app = create_app(paths, contracts, secure_cookies=False)
        with TestClient(app) as c:
            sign_in(c, "alice")
            page = c.get(f"/datasets/{A}")
            r = c.post(f"/datasets/{A}/uploads", data={"csrf": csrf_of(page.text)}, follow_redirects=False,
                       files={"file": ("a.csv", extract(tmp, rows=5, bad_rows=1).read_bytes())})
            assert r.status_code == 303, r.text
            upload_a = r.headers["location"].rsplit("/", 1)[1]
        yield {"app": app, "paths": paths, "tokens": tokens, "tmp": tmp, "upload": upload_a,
               "batch": _delivery(paths, contracts, A, "20261101T100000000000Z-0123456789ab"),
               "batch_b": _delivery(paths, contracts, B, "20261102T100000000000Z-ba9876543210")}


def client_as(world, role: str) -> TestClient:
    c = TestClient(world["app"])
    if role in ("alice", "bob", "dana"):
        assert sign_in(c, role).status_code == 303
    elif role in world["tokens"]:
        c.headers["Authorization"] = f"Bearer {world['tokens'][role]}"
    return c


def call(world, role: str, method: str, route: str, contract_id: str = A):
    c = client_as(world, role)
    csrf = csrf_of(c.get("/datasets").text) if role in ("alice", "bob", "dana") else None
    path = route.format(contract_id=contract_id, batch_id=world["batch"], upload_id=world["upload"],
                        dataset=contract_id.split("__")[-1])
    data = {"csrf": csrf} if csrf else {}
    files = None
    if route.endswith("uploads"):
        files = {"file": ("ok.csv", extract(world["tmp"], f"{role}.csv", rows=3, start=hash(role) % 1000)
                          .read_bytes())}
    if method == "GET":
        return c.get(path, follow_redirects=False)
    return c.post(path, data=data, files=files, follow_redirects=False)


def test_every_route_has_a_rule(world):
    routes = {(m, r.path) for r in world["app"].routes for m in getattr(r, "methods", ()) - {"HEAD"}}
    assert routes == set(RULES), f"routes without a rule: {routes - set(RULES)}; rules without a route: " \
                                 f"{set(RULES) - routes}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "route"), sorted(RULES))
def test_each_caller_gets_exactly_what_its_rule_allows(world, method, route, role):
    response = call(world, role, method, route)
    assert response.status_code == RULES[method, route][role], (method, route, role, response.text[:300])
    if response.status_code == 303 and role in ("anonymous", "token_a", "token_b"):
        assert response.headers["location"] == "/login"


@pytest.mark.parametrize("route", [r for m, r in RULES if m == "GET" and "{contract_id}" in r])
def test_another_partners_dataset_answers_as_one_that_does_not_exist(world, route):
    other = call(world, "bob", "GET", route)
    missing = call(world, "bob", "GET", route, contract_id="skills__no_such_dataset")
    nonsense = call(world, "bob", "GET", route, contract_id="nothing")
    assert other.status_code == missing.status_code == nonsense.status_code == 404
    assert other.text == missing.text == nonsense.text
    assert "skills" not in other.text.lower() and "job shop" not in other.text.lower()


def test_a_partner_sees_only_its_own_datasets_and_the_team_sees_all(world):
    alice = client_as(world, "alice").get("/datasets").text
    assert "Job Shop" in alice and "advice" not in alice.lower()
    bob = client_as(world, "bob").get("/datasets").text
    assert "Job Shop" not in bob and "NEET" not in bob
    team = client_as(world, "dana").get("/team").text
    assert "Job Shop" in team and "Advice" in team
    # B's delivery: not through B's dataset, nor by its batch id under A's dataset
    for path in (f"/datasets/{B}/deliveries/{world['batch_b']}/receipt",
                 f"/datasets/{A}/deliveries/{world['batch_b']}/receipt",
                 f"/datasets/{A}/deliveries/{world['batch_b']}/rejected.csv"):
        assert client_as(world, "alice").get(path).status_code == 404, path
    assert client_as(world, "dana").get(f"/datasets/{B}/deliveries/{world['batch_b']}/receipt").status_code == 200


def test_every_page_carries_the_security_headers(world):
    r = client_as(world, "alice").get(f"/datasets/{A}")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
