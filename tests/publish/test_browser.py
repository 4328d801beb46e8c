"""The site in a real browser: headless Debian Chromium driven by Playwright, served by `marmot serve`.

Crawls every page from index.html: each loads with no console error, asks nothing of any
host but the server, draws every chart (an SVG with marks, labelled, with a data table in its
section), and every link resolves. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import sync_playwright

from marmot.settings import Paths
from publish.site_fixtures import publish_version, serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium with `make chromium` "
                    "(runs apt-get install -y chromium as root); the browser tests need it", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two publications (so "what changed" has content); `marmot serve` on a free loopback port."""
    home = Paths(tmp_path_factory.mktemp("browser") / "home")
    publish_version(home, first_period=1)
    publish_version(home, shift_readiness=0.5)
    with serving(home) as host:
        yield host


def _check_page(page, url: str, base: str) -> list[str]:
    """Load one page, check it; return the links on it (absolute, fragments removed)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: errors.append(f"off-site request {r.url}") if not r.url.startswith(base) else None)
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_load_state("load")
    assert errors == [], (url, errors)
    assert page.get_by_role("note").filter(has_text="Synthetic demo data").is_visible(), url
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")  # folded charts
    for chart in page.locator("svg.chart").all():
        name = chart.get_attribute("id")
        assert chart.get_attribute("role") == "img" and chart.locator(":scope > title").text_content(), (url, name)
        # marks were drawn: Vega's, or a spine chart's rows
        assert chart.locator("g.role-mark > *, g.spine-row > circle").count() > 0, (url, name)
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, (url, name)
        assert chart.locator("xpath=ancestor::section[1]//table").count() >= 1, (url, name)  # data behind it
    for anchor in page.locator("a[href^='#']").all():
        target = anchor.get_attribute("href")[1:]
        assert page.locator(f"[id='{target}']").count() == 1, (url, target)
    return [urldefrag(h)[0] for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")]


def test_every_page_loads_draws_its_charts_and_every_link_resolves(browser, served):
    base = f"http://{served}/"
    seen, queue, files, charts = {base + "index.html"}, deque([base + "index.html"]), set(), 0
    while queue:
        url = queue.popleft()
        page = browser.new_page(viewport={"width": 1200, "height": 900})  # fresh listeners per page
        links = _check_page(page, url, base)
        charts += page.locator("svg.chart").count()
        page.close()
        for link in links:
            assert urlparse(link).netloc == served, (url, link)
            own_page = link.endswith(".html") and "/" not in urlparse(link).path.lstrip("/")
            if own_page and link not in seen:
                seen.add(link)
                queue.append(link)
            elif not own_page:
                files.add(link)  # downloads and the validation report: must resolve
    page = browser.new_page()
    for link in sorted(files):
        assert page.request.head(link).status == 200, link
    page.close()
    names = {urlparse(u).path.lstrip("/") for u in seen}
    assert {"index.html", "partners.html", "changes.html", "data.html",
            "indicator-p1_school_readiness.html", "principle-P1_best_start.html"} <= names
    # pages: index, partners, changes, data, dictionary, compare, search; charts: three per indicator and school
    # readiness's SII, and a spine chart per principle and one of every indicator on the overview
    assert len(names) == 7 + 6 + 3 and charts == 6 * 3 + 1 + 3 + 1
    assert {"README.md", "marmot.duckdb", "exports/principle-P1_best_start.xlsx",
            "exports/indicator-p4_fsm.csv", "validation/report.html"} <= {urlparse(u).path.lstrip("/") for u in files}


def test_keyboard_user_can_skip_to_the_content_and_sees_focus(browser, served):
    page = browser.new_page()
    page.goto(f"http://{served}/index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent, "
                            "getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["Skip to main content", "solid"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.close()


def test_screenshots_of_the_overview_and_an_indicator_page(browser, served):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    for name, shot in (("index.html", "site-overview.png"),
                       ("indicator-p1_school_readiness.html", "site-indicator.png")):
        page.goto(f"http://{served}/{name}")
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        assert (ARTIFACTS / shot).stat().st_size > 20_000
    page.close()
