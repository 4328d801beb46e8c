"""Data Docs that work offline: GX 1.x's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega
and GX's logo from CDNs (16 requests a page; without the internet the pages render unstyled). ``localise`` copies
the same files, vendored from npm (``data_docs_assets/``, versions in its README), into the site and points every
page and stylesheet at the copies; a link out of the site keeps its text and loses its address.

``localise`` also makes each page pass axe-core (tests/publish/test_axe.py): a language, a ``main`` landmark with a
level-one heading (the page's name), named navigation landmarks, tabs marked up as tabs, and
``data_docs_assets/marmot/`` (accessible.css: AA contrast for Bootstrap's blues and greys; accessible.js: labels for
bootstrap-table's filter controls, which it draws without)."""

from __future__ import annotations

import logging
import os
import re
import shutil
from importlib.resources import as_file, files
from pathlib import Path

log = logging.getLogger(__name__)

VENDOR = "static/vendor"  # inside the Data Docs site
# each address as GX's templates write it -> its copy under data_docs_assets/
LOCAL = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark/bootstrap-prefers-dark.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}
# GX's logo (and its dark variant) from its web assets bucket: the site carries the logo in static/images
LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"')]*\.png[^\"')]*")
# whole addresses only, never the start of a longer one
ADDRESS = re.compile("|".join(re.escape(url) + r"(?![\w@./-])" for url in sorted(LOCAL, key=len, reverse=True)))
# an address outside the site in a src or href (links out are removed), a CSS url() or an @import
OUTSIDE = r"""["']?(?:https?:)?//"""
EXTERNAL = re.compile(rf"(?:src|href)\s*=\s*{OUTSIDE}|url\(\s*{OUTSIDE}|@import\s+{OUTSIDE}", re.I)


def _rewrite(text: str, static: str) -> str:
    """``static``: the site's ``static/`` folder relative to the page (GX writes one ``../`` too few on the pages of
    validation results, four folders down: their favicon and styles were not found)."""
    text = re.sub(r"""(?<=["'(])(?:\.\./)*static/""", f"{static}/", text)
    text = ADDRESS.sub(lambda m: f"{static}/vendor/{LOCAL[m[0]]}", text)
    text = LOGO.sub(f"{static}/images/logo-long.png", text)
    # a page opened from disk cannot load a script or stylesheet marked crossorigin; the copies are the same files
    text = re.sub(r"""\s(?:integrity|crossorigin)=(?:"[^"]*"|'[^']*'|\S+)""", "", text)
    return re.sub(r"""(<a\b[^>]*?)\shref=["']https?://[^"']*["']""", r"\1", text)


TABLIST = re.compile(r'(<ul[^>]*role="tablist"[^>]*>)(.*?)(</ul>)', re.S)
CURRENT = re.compile(r'aria-current="page"[^>]*>\s*([^<]+?)\s*<')
TITLE = re.compile(r"<title>\s*([^<]+?)\s*</title>")


def _accessible(text: str, static: str) -> str:
    """The page as axe-core finds no fault with (the module's docstring); each change is made once."""
    if 'data-marmot-accessible' in text or "<body" not in text:
        return text
    text = re.sub(r"<html(?![^>]*\blang=)", '<html lang="en" data-marmot-accessible', text, count=1)
    text = text.replace("</head>", f'<link rel="stylesheet" href="{static}/vendor/marmot/accessible.css">\n'
                                   f'<script src="{static}/vendor/marmot/accessible.js"></script>\n</head>', 1)
    text = text.replace('<nav class="navbar', '<nav aria-label="Data Docs" class="navbar', 1)
    text = text.replace('<nav class="d-flex', '<nav aria-label="Great Expectations" class="d-flex', 1)
    text = text.replace('<nav id="navigation"', '<nav aria-label="Contents of this page" id="navigation"', 1)
    text = TABLIST.sub(lambda m: m[1] + m[2].replace('<li class="nav-item">', '<li class="nav-item" '
                                                     'role="presentation">') + m[3], text)
    name = CURRENT.search(text) or TITLE.search(text)
    heading = f'<h1 class="sr-only">{name[1] if name else "Data Docs"}</h1>'
    start = text.find('<div class="container-fluid', text.find("<body"))
    if start < 0:
        return text
    end = text.find("<footer", start)
    end = end if end >= 0 else text.rfind("</body>")
    return text[:start] + f"<main>{heading}" + _headings_from_two(text[start:end]) + "</main>\n" + text[end:]


def _headings_from_two(html: str) -> str:
    """GX's headings start at h4 (h1 to h4 skips levels): shifted to start at h2 under the page's h1, each keeping
    its look (Bootstrap's ``h4`` ... classes)."""
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    shift = min(levels) - 2 if levels and min(levels) > 2 else 0
    if not shift:
        return html

    def opening(m: re.Match) -> str:
        level, attrs = int(m[1]), m[2] or ""
        look = f"h{level}"
        if re.search(r'\bclass="', attrs):
            attrs = re.sub(r'\bclass="', f'class="{look} ', attrs, count=1)
        else:
            attrs = f' class="{look}"' + attrs
        return f"<h{level - shift}{attrs}>"

    html = re.sub(r"<h([1-6])(\s[^>]*)?>", opening, html)
    return re.sub(r"</h([1-6])>", lambda m: f"</h{int(m[1]) - shift}>", html)


def localise(site: Path) -> list[str]:
    """Copy the vendored assets into ``site`` and rewrite its pages and stylesheets to use them; return the pages
    that still name an address outside the site (none, unless a GX upgrade asks for a file not vendored)."""
    with as_file(files("marmot.validate") / "data_docs_assets") as assets:
        shutil.copytree(assets, site / VENDOR, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    outside = []
    for path in sorted([*site.rglob("*.html"), *site.glob("static/styles/*.css")]):
        static = Path(os.path.relpath(site / "static", path.parent)).as_posix()
        text = _rewrite(path.read_text(encoding="utf-8"), static)
        if path.suffix == ".html":
            text = _accessible(text, static)
        path.write_text(text, encoding="utf-8")
        if EXTERNAL.search(text):
            outside.append(path.relative_to(site).as_posix())
    if outside:
        log.warning("Data Docs still load from outside the site (a file to vendor in marmot/validate/"
                    "data_docs_assets): %s", ", ".join(outside))
    return outside
