"""Every page type on a phone (390 px) and a desktop (1400 px) in headless Chromium: the page never scrolls
sideways (a wide table or chart scrolls in its own box), trend chart periods read in time order, chart text is at
least 11 px, and no request leaves the server: Data Docs included, styled and scripted by their own copies.
Screenshots of the phone view go to test-artifacts/ (git-ignored, kept by CI)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from fixtures.deliveries import write_ledger

from marmot.publish.site import charts
from marmot.publish.site.build import build_overview
from marmot.settings import Paths
from marmot.validate.gx_runner import GxRun
from publish.site_fixtures import INDICATORS, PRINCIPLES, publish_built, serving, write_build
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


COPIES = 8  # the fixture's 6 indicators under 9 principle groups: 54, about as many as the catalogue's 59
OVERVIEW_MAX_PX = 3000  # the overview of nine tables was 8,154 px tall at 1400 px with the demo's indicators
SPINES = """() => [...document.querySelectorAll('svg.spine')].map(svg => ({
  id: svg.id, rows: svg.querySelectorAll('g.spine-row').length,
  markers: [...svg.querySelectorAll('circle.spine-coventry')].filter(c => c.getBoundingClientRect().width > 0).length,
  smallest: Math.min(...[...svg.querySelectorAll('text')].map(t =>
    parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b)))}))"""


def _many_indicators(folder: Path, target: Path) -> Path:
    """A copy of the version whose indicators come again under eight more principles, with names longer than the
    catalogue's (median 50 characters), half of them with no significant change in their trend or gap (still more
    worse-and-worsening and widening than the six of the fixture would make), and only its overview rendered
    again."""
    target.mkdir()
    for name in ("marmot.duckdb", "manifest.json"):
        shutil.copyfile(folder / name, target / name)
    ids = ", ".join(f"'{i[0]}'" for i in INDICATORS)
    con = duckdb.connect(str(target / "marmot.duckdb"))
    for table in ("mart_indicator_values", "mart_indicator_latest", "mart_indicator_comparators",
                  "mart_indicator_metadata"):
        columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ?",
                                             [table]).fetchall()}
        for k in range(1, COPIES + 1):
            replace = [f"indicator_id || '_{k}' AS indicator_id"]
            replace += [f"'X{k}_group' AS principle_key"] if "principle_key" in columns else []
            replace += [f"'Principle group {k} of the copies' AS principle_label"] if "principle_label" in columns \
                else []
            replace += ["indicator_name || ' among residents aged 16 to 64 (persons)' AS indicator_name"] \
                if "indicator_name" in columns else []
            con.execute(f"INSERT INTO {table} SELECT * REPLACE ({', '.join(replace)}) FROM {table} "
                        f"WHERE indicator_id IN ({ids})")
    for k in range(1, COPIES + 1, 2):  # half the copies with no significant change in their trend or gap
        con.execute("UPDATE mart_indicator_latest SET trend_label = 'No significant change', "
                    "quintile_gap_change = 'No significant change', sii_trend = 'Cannot be calculated' "
                    f"WHERE suffix(indicator_id, '_{k}')")
    con.close()
    build_overview(target)
    return target


def test_the_overview_fits_far_fewer_screens_and_never_scrolls_sideways(browser, site, tmp_path):  # noqa: F811
    """Every indicator in one grid: with 54 indicators the overview is under 3,000 px tall on a desktop (it was
    8,154 px); on a phone the grid scrolls in its own box, never the page."""
    _, folder = site
    many = _many_indicators(folder, tmp_path / "many")
    heights = {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto((many / "index.html").as_uri())
        rows, wide, screen, heights[width] = page.evaluate(
            "() => [document.querySelectorAll('table.rug tr[data-indicator]').length, "
            "document.documentElement.scrollWidth, document.documentElement.clientWidth, "
            "document.documentElement.scrollHeight]")
        assert rows == len(INDICATORS) * (COPIES + 1) and wide <= screen, (width, rows, wide, screen)
        page.close()
    print(f"overview height with {len(INDICATORS) * (COPIES + 1)} indicators: {heights}")
    assert heights[1400] < OVERVIEW_MAX_PX, heights


@pytest.mark.parametrize("width", WIDTHS)
def test_every_principle_page_draws_its_spine_chart_in_11_px_text_or_more(browser, site, width):  # noqa: F811
    base, folder = site
    page = browser.new_page(viewport={"width": width, "height": 900})
    for key in PRINCIPLES:
        page.goto(f"{base}principle-{key}.html")
        [chart] = page.evaluate(SPINES)
        assert chart["rows"] == chart["markers"] == 2, (key, chart)
        assert chart["smallest"] >= charts.MIN_TEXT_PX - 0.01, (key, width, chart)
    page.close()
