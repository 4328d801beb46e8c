"""Every page type on a phone (390 px) and a desktop (1400 px) in headless Chromium: the page never scrolls
sideways (a wide table or chart scrolls in its own box), trend chart periods read in time order, chart text is at
least 11 px, and no request leaves the server: Data Docs included, styled and scripted by their own copies.
Screenshots of the phone view go to test-artifacts/ (git-ignored, kept by CI)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
from fixtures.deliveries import write_ledger

from marmot.publish.site import charts
from marmot.settings import Paths
from marmot.validate.gx_runner import GxRun
from publish.site_fixtures import publish_built, serving, write_build
from publish.test_browser import ARTIFACTS, browser  # noqa: F401  (the Chromium of the browser tests)

WIDTHS = (390, 1400)
SUITE = {"suite": "raw__early_years__eyfsp", "expectations": [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "upn"}, "severity": "critical", "why": "x"}]}
# per chart: its x-axis labels in the order drawn, their x positions, and the smallest text as rendered (CSS px)
CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const axis = [...svg.querySelectorAll('g.role-axis')].find(g => (g.getAttribute('aria-label') || '')
    .startsWith('X-axis'));
  const labels = axis ? [...axis.querySelectorAll('g.role-axis-label text')] : [];
  return {id: svg.id, labels: labels.map(t => t.textContent), xs: labels.map(t => t.getBoundingClientRect().x),
          smallest: Math.min(...[...svg.querySelectorAll('text')].map(t =>
            parseFloat(t.getAttribute('font-size')) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b)))};
})"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A publication with every page type: receipts (a partner ledger), Data Docs of a real GX run, and a trend
    whose first period has England's value but no city value (the layer order that drew it after the last)."""
    home = Paths(tmp_path_factory.mktemp("screens") / "home")
    write_ledger(home, date.today())
    run = GxRun(home.home / "gx-run")
    run.evaluate(SUITE, pd.DataFrame({"upn": ["A1", None]}))
    run.build_data_docs()
    write_build(home.build_db)
    con = duckdb.connect(str(home.build_db))
    con.execute("UPDATE marts.mart_indicator_values SET value = NULL, lower_95 = NULL, upper_95 = NULL "
                "WHERE indicator_id = 'p1_school_readiness' AND period = '2021/22' AND geography_level = 'city'")
    con.close()
    folder = publish_built(home, run.data_docs)
    with serving(home) as host:
        yield f"http://{host}/", folder


def _pages(folder) -> list[str]:
    site = sorted(p.name for p in folder.glob("*.html"))
    docs = sorted(p.relative_to(folder).as_posix() for p in (folder / "data_docs").rglob("*.html"))
    return site + docs + ["validation/report.html"]


def _problems(browser, base: str, name: str, width: int) -> list[str]:  # noqa: F811
    """Load one page at ``width``: requests off the server, failures, script errors, and a page wider than the
    screen."""
    found: list[str] = []
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("request", lambda r: found.append(f"request to {r.url}") if not r.url.startswith(base) else None)
    page.on("requestfailed", lambda r: found.append(f"failed {r.url}"))
    page.on("response", lambda r: found.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: found.append(f"script error {e}"))
    page.goto(base + name)
    page.wait_for_load_state("networkidle")
    wide, screen = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if wide > screen:
        found.append(f"page {wide} px wide on a {screen} px screen")
    if width == 390 and name in ("index.html", "indicator-p1_school_readiness.html", "partners.html"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"phone-{name.removesuffix('.html')}.png"), full_page=True)
    page.close()
    return [f"{name}: {p}" for p in found]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen_and_asks_nothing_of_another_host(browser, site, width):  # noqa: F811
    base, folder = site
    pages = _pages(folder)
    assert any(p.startswith("delivery-") for p in pages) and len([p for p in pages if "data_docs" in p]) == 3
    assert [p for name in pages for p in _problems(browser, base, name, width)] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_trend_periods_read_in_time_order_and_chart_text_is_11_px_or_more(browser, site, width):  # noqa: F811
    base, folder = site
    trends = 0
    page = browser.new_page(viewport={"width": width, "height": 900})
    for name in sorted(p.name for p in folder.glob("indicator-*.html")):
        page.goto(base + name)
        for chart in page.evaluate(CHARTS):
            assert chart["smallest"] >= charts.MIN_TEXT_PX - 0.01, (name, chart["id"], chart["smallest"])
            if chart["id"].startswith("trend-"):
                trends += 1
                assert chart["labels"] == charts.in_time_order(chart["labels"]), (name, chart["labels"])
                assert chart["xs"] == sorted(chart["xs"]) and len(chart["labels"]) >= 4, (name, chart)
    page.close()
    assert trends == len(list(folder.glob("indicator-*.html")))


def test_data_docs_are_styled_and_scripted_by_their_own_copies(browser, site):  # noqa: F811
    base, _ = site
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(base + "data_docs/index.html")
    page.wait_for_load_state("networkidle")
    loaded = page.evaluate("""() => ({
      sheets: [...document.styleSheets].filter(s => s.href && s.href.includes('/static/vendor/'))
        .map(s => [s.href.split('/static/vendor/')[1], s.cssRules.length]),
      jquery: typeof window.jQuery, table: typeof (window.jQuery && window.jQuery.fn.bootstrapTable),
      rows: document.querySelectorAll('table.ge-index-page-validation-results-table tbody tr').length,
      font: getComputedStyle(document.body).fontFamily})""")
    sheets = dict(loaded["sheets"])
    assert sheets["bootstrap/bootstrap.min.css"] > 1000 and sheets["fontawesome/css/all.min.css"] > 1000, sheets
    assert (loaded["jquery"], loaded["table"]) == ("function", "function") and loaded["rows"] == 1, loaded
    assert "Segoe UI" in loaded["font"] or "Roboto" in loaded["font"], loaded  # Bootstrap's font stack
    page.close()
