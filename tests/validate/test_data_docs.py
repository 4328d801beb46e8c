"""Data Docs carry their CSS, scripts and fonts: no page or stylesheet loads anything from outside the site (GX's
templates asked 16 CDNs and rendered unstyled offline), and every file a page loads is there."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from marmot.validate import data_docs
from marmot.validate.gx_runner import GxRun

SUITE = {"suite": "raw__early_years__eyfsp", "expectations": [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "upn"}, "severity": "critical", "why": "x"},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "score", "min_value": 0, "max_value": 17},
     "severity": "warning", "why": "y"}]}
LOADS = re.compile(r"""<(?:script|link|img)\b[^>]*?\s(?:src|href)=["']([^"']+)["']""", re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    run = GxRun(tmp_path_factory.mktemp("run"))
    run.evaluate(SUITE, pd.DataFrame({"upn": ["A1", None, "A3"], "score": [3, 18, 9]}))
    run.build_data_docs()
    return run.data_docs


def test_no_page_or_stylesheet_loads_from_outside_the_site(site):
    texts = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
             for p in [*site.rglob("*.html"), *site.glob("static/styles/*.css")]}
    assert len([p for p in texts if p.endswith(".html")]) == 3  # index, the suite, the validation result
    for name, text in texts.items():
        assert not data_docs.EXTERNAL.search(text), (name, data_docs.EXTERNAL.search(text)[0])
        assert "https://" not in re.sub(r"<svg\b.*?</svg>", "", text, flags=re.S), name  # no link out either


def test_every_file_a_page_loads_is_in_the_site(site):
    loaded = set()
    for page in site.rglob("*.html"):
        for ref in LOADS.findall(page.read_text(encoding="utf-8")):
            if ref.startswith("data:") or ref.startswith("#"):
                continue
            target = (page.parent / ref.split("?")[0]).resolve()
            assert target.is_file() and site.resolve() in target.parents, (page.name, ref)
            loaded.add(target.relative_to(site.resolve()).as_posix())
    assert {f"{data_docs.VENDOR}/{f}" for f in set(data_docs.LOCAL.values())} <= loaded  # every copy is used
    fonts = re.findall(r"url\(\.\./webfonts/([\w-]+\.woff2)\)",
                       (site / data_docs.VENDOR / "fontawesome/css/all.min.css").read_text(encoding="utf-8"))
    assert fonts and all((site / data_docs.VENDOR / "fontawesome/webfonts" / f).is_file() for f in fonts)


def test_a_file_not_vendored_is_named(tmp_path):
    """As a GX upgrade asking for another CDN file would be: the page is reported, not silently left loading it."""
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/'
                                         '4.3.1/css/bootstrap.min.css"><script src="https://cdn.example/new.js">'
                                         "</script>", encoding="utf-8")
    assert data_docs.localise(tmp_path) == ["index.html"]
    assert 'href="static/vendor/bootstrap/bootstrap.min.css"' in (tmp_path / "index.html").read_text(encoding="utf-8")
