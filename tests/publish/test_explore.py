"""The compare and search pages work offline: their data embedded as JSON (safe inside a script element), a default
pair drawn and tabulated without JavaScript, every indicator listed without JavaScript; in a browser the pickers
and the search box redraw and filter (tests/publish/test_browser.py crawls them for errors, test_axe.py for
accessibility)."""

from __future__ import annotations

import json
import re

import pytest

from marmot.publish.site import explore
from marmot.settings import Paths
from publish.site_fixtures import INDICATORS, publish_version, serving
from publish.test_browser import browser  # noqa: F401  (the Chromium of the browser tests)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = Paths(tmp_path_factory.mktemp("explore") / "home")
    publish_version(home)
    return home


def _json(html: str, element_id: str):
    return json.loads(re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)[1])


def test_the_embedded_json_cannot_close_its_script_element():
    text = str(explore.embedded([{"name": "</script><script>alert(1)</script> & more"}]))
    assert "<" not in text and "&" not in text and json.loads(text)[0]["name"].startswith("</script>")


def test_compare_page_embeds_every_indicator_with_ward_values_and_draws_a_default_pair(home):
    html = (home.published / "current" / "compare.html").read_text(encoding="utf-8")
    data = _json(html, "compare-data")
    assert sorted(d["id"] for d in data) == sorted(i[0] for i in INDICATORS)
    assert '=HYPERLINK("http://x")' in data[0]["wards"] and "Wainbody" not in data[0]["wards"]  # suppressed
    assert '<svg id="scatter" class="scatter" role="img" aria-labelledby="scatter-t scatter-d"' in html
    assert html.count('<circle class="point"') == 3 and html.count('<tr><th scope="row">') == 3
    assert '<label for="ind-x">' in html and '<label for="ind-y">' in html and 'src="assets/compare.js"' in html


def test_search_page_lists_every_indicator_without_javascript(home):
    html = (home.published / "current" / "search.html").read_text(encoding="utf-8")
    index = _json(html, "search-data")
    assert len(index) == len(INDICATORS) == html.count("<li data-id=")
    assert index[0]["definition"].startswith("Definition of") and 'role="search"' in html


def test_in_a_browser_the_pickers_redraw_and_the_search_filters(home, browser):  # noqa: F811
    with serving(home) as host:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://{host}/compare.html")
        page.select_option("#ind-y", "p4_fuel_poverty")
        assert "Fuel poverty (LILEE)" in page.locator("#scatter-caption").text_content()
        assert page.locator("#scatter circle.point").count() == 3 and page.locator("#scatter-rows tr").count() == 3
        assert "Showing" in page.locator("#scatter-status").text_content()
        assert not page.locator("#compare-submit").is_visible()
        page.goto(f"http://{host}/search.html?q=school")
        assert page.locator("#results li:visible").count() == 2  # school readiness, free school meals
        page.fill("#q", "definition free")
        assert page.locator("#results li:visible").all_text_contents()[0].startswith("Free school meal")
        page.fill("#q", "")
        assert page.locator("#results li:visible").count() == len(INDICATORS)
        assert errors == []
        page.close()
