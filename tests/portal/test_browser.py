"""The portal in headless Chromium at a phone's width (390 px): sign in, the dataset page with its upload form,
the pre-check of a file with mistakes, the status of every dataset. Each page fits the width (no sideways
scrolling), asks nothing of any other host, and axe-core finds no accessibility violation on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from devtools.bench.portal import serving
from marmot.portal.app import create_app
from portal.helpers import PASSWORD, A, extract

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTH = 390
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture
def page(portal_home, contracts):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs it", pytrace=False)
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make axe` installs axe-core from npm", pytrace=False)
    with serving(create_app(portal_home, contracts, secure_cookies=False)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        # bypass_csp: the portal's CSP forbids every script, axe-core's injected one too
        page = browser.new_context(viewport={"width": WIDTH, "height": 844}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, bypass_csp=True).new_page()
        off_site: list[str] = []
        page.on("request", lambda r: off_site.append(r.url) if not r.url.startswith(base) else None)
        page.base = base
        yield page
        assert off_site == []
        browser.close()


def check(page, name: str) -> None:
    """No sideways scrolling at 390 px and no axe-core violation; a screenshot in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-390-{name}.png"), full_page=True)
    # against the phone's width, not innerWidth: a mobile browser widens its layout viewport to fit the content
    wide = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert wide <= WIDTH, f"{name}: {wide} px wide on a {WIDTH} px screen"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == [], f"{name}: {violations}"
    assert result["passes"], f"{name}: axe ran no check"  # it did look at the page


def test_sign_in_upload_pre_check_and_status_on_a_phone(page, portal_home, tmp_path):
    page.goto(page.base + "/login")
    check(page, "login")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/datasets")
    check(page, "datasets")

    page.get_by_role("link", name="Job Shop and Youth Hub clients and outcomes").click()
    page.wait_for_url(f"**/datasets/{A}")
    check(page, "dataset-upload-form")

    page.get_by_label("File for Job Shop and Youth Hub clients and outcomes").set_input_files(
        str(extract(tmp_path, "clients_with_a_rather_long_name_from_the_export_tool_2025_26.csv", rows=40,
                    bad_rows=6)))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/uploads/*")
    assert page.get_by_text("40 rows: 34 would load, 6 would be rejected").is_visible()
    assert page.get_by_role("table").filter(has_text="Rows with problems").is_visible()
    check(page, "pre-check")

    page.get_by_role("button", name="Send it anyway").click(no_wait_after=True)  # the next page refreshes itself
    page.get_by_text("Waiting for it to be loaded").wait_for()
    assert len(list((portal_home.landing / "skills" / "job_shop_clients").iterdir())) == 1

    page.get_by_role("button", name="Sign out").click(no_wait_after=True)
    page.wait_for_url("**/login")
    page.get_by_label("User name").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/team")
    check(page, "team")
