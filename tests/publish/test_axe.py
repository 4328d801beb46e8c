"""axe-core (installed by `make axe`, pinned in the Makefile) finds no accessibility violation of any impact on any
page type of a published site, at a phone's and a desktop's width: overview, principle, indicator (charts, map,
tables), partners, delivery receipt, dictionary, changes, downloads, compare, search, the validation report and
the Great Expectations Data Docs. Every rule axe runs by default (WCAG 2.0-2.2 A and AA and best practices)."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.test_browser import browser  # noqa: F401  (the Chromium of the browser tests)
from publish.test_browser_screens import WIDTHS, _pages, site  # noqa: F401  (a publication with every page type)

AXE = Path(__file__).resolve().parents[2] / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 100) + ': ' +
      n.failureSummary.split('\\n').slice(0, 2).join(' '))}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: install axe-core with `make axe` (npm install of the pinned version)",
                    pytrace=False)
    return AXE.read_text(encoding="utf-8")


def _kinds(pages: list[str]) -> list[str]:
    """One page of each type (every indicator page would repeat the same template)."""
    wanted = ("index.html", "principle-P1_best_start.html", "indicator-p1_school_readiness.html", "partners.html",
              "dictionary.html", "changes.html", "data.html", "compare.html", "search.html", "validation/report.html")
    chosen = [p for p in wanted if p in pages]
    chosen.append(next(p for p in pages if p.startswith("delivery-")))
    chosen += [p for p in pages if p.startswith("data_docs/")]
    return chosen


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_type_has_an_axe_violation(browser, site, axe_source, width):  # noqa: F811
    base, folder = site
    pages = _kinds(_pages(folder))
    assert len(pages) >= 14, pages
    found = {}
    page = browser.new_page(viewport={"width": width, "height": 900})
    for name in pages:
        page.goto(base + name)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(content=axe_source)
        found.update({f"{name}: {v['id']} ({v['impact']}) {v['help']}": v["nodes"] for v in page.evaluate(RUN)})
    page.close()
    assert found == {}, "\n".join(f"{k}\n    " + "\n    ".join(nodes) for k, nodes in found.items())
