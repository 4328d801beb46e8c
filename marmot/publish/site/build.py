"""Write the static site of one published version into its folder.

Pages (flat, relative links, so the folder works from disk, from ``marmot serve`` or any web
server): ``index.html`` (overview: every indicator at a glance, ``glance.py``),
``principle-<key>.html``, ``indicator-<id>.html``,
``partners.html`` with ``delivery-<batch>.html`` (the public receipt of each dataset's latest delivery),
``changes.html``, ``data.html``, ``dictionary.html``, ``compare.html`` (two indicators across wards) and
``search.html`` (both work offline, their data embedded as JSON); ``assets/`` (site.css, compare.js, search.js);
``exports/`` (CSV per indicator, workbook per principle); ``README.md``.

The indicator and principle pages (their charts and workbooks are most of a publication's
time: 7.5 of 8.6 s) are rendered by this process and ``site_workers() - 1`` helper processes,
each helper with its own read-only view of the version's DuckDB file: vl-convert renders one
chart at a time in a process, and workbooks are pure Python.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import cache
from importlib.resources import files
from multiprocessing import get_context
from pathlib import Path

import jinja2
from markupsafe import Markup

from marmot.publish.site import changes, charts, explore, exports, glance, labels, maps, reuse, spine
from marmot.publish.site.publication import Publication
from marmot.settings import site_workers

log = logging.getLogger(__name__)
_worker_pub: Publication | None = None  # a worker process's own view of the version
_worker_reuse: reuse.Reuse | None = None  # and what it may reuse of the previous version (marmot.publish.site.reuse)


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("marmot.publish.site", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=labels.number, benchmark=labels.benchmark_class, trend=labels.trend_direction,
                       arrow=labels.trend_arrow, group=labels.group_name)
    env.globals.update(SUPPRESSED=labels.SUPPRESSED, NA=labels.NOT_AVAILABLE)
    return env


_TABLE = re.compile(r'(<div class="scroll"[^>]*>\s*)?(<table\b.*?</table>)', re.S)


def _scroll_boxes(html: str) -> str:
    """Put every table not already in one into a box that scrolls sideways, focusable and named after its caption,
    so a wide table never makes a phone's page scroll sideways (every page, every section, whoever wrote it)."""
    def box(m: re.Match) -> str:
        if m[1]:
            return m[0]
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", m[2], re.S)
        label = re.sub(r"<[^>]+>", "", caption[1]).strip() if caption else "Table"
        return f'<div class="scroll" role="region" aria-label="{label}" tabindex="0">{m[2]}</div>'
    return _TABLE.sub(box, html)


def _write(folder: Path, name: str, template: str, **context) -> str:
    (folder / name).write_text(_scroll_boxes(_env().get_template(template).render(**context)), encoding="utf-8")
    return name


def _indicator_page(folder: Path, pub: Publication, ind: dict, common: dict) -> str:
    rows = pub.values(ind["id"])
    latest = [r for r in rows if r["period"] == ind["period"]]
    city_trend = [r for r in rows if r["level"] == "city"]
    quintiles = [r for r in latest if r["level"] == "imd_quintile"]
    ward_rows = [r for r in latest if r["level"] == "ward"]
    breakdowns = pub.breakdowns(ind["id"], ind["period"])
    inequalities = pub.inequalities(ind["id"])
    boundaries = pub.boundaries("ward")
    figures = {
        "trend": charts.trend(ind, city_trend),
        "gradient": charts.gradient(ind, quintiles, ind["city"]),
        "wards": charts.wards(ind, ward_rows, ind["city"]),
        "sii": charts.sii(ind, inequalities),
        "map": maps.ward_map(ind, ward_rows, ind["city"], boundaries),
    }
    for r in ward_rows:
        r["coventry_comparison"] = maps.compare_with_city(r, ind["city"], ind.get("polarity"))
    exports.indicator_csv(pub, ind["id"], folder / "exports" / f"indicator-{ind['id']}.csv", _worker_reuse)
    return _write(folder, f"indicator-{ind['id']}.html", "indicator.html.j2", ind=ind, trend_rows=city_trend,
                  quintiles=quintiles, ward_rows=ward_rows, breakdowns=breakdowns,
                  comparators=pub.comparators(ind["id"], ind["period"]), inequalities=inequalities,
                  inequality=next((r for r in inequalities if r["period"] == ind["period"]), None),
                  comparisons=pub.group_comparisons(ind["id"], ind["period"]),
                  figures={k: Markup(v) if v else None for k, v in figures.items()},
                  map_from_boundaries=bool(figures["map"]) and "Tile map:" not in figures["map"],
                  synthetic_boundaries=any(b["is_synthetic"] for b in boundaries), **common)


def _principle_page(folder: Path, pub: Publication, principle: dict, indicators: list[dict], common: dict) -> str:
    mine = [i for i in indicators if i["principle"] == principle["key"]]
    exports.principle_workbook(pub, principle, folder / "exports" / f"principle-{principle['key']}.xlsx",
                               _worker_reuse)
    comparators = pub.comparator_sets(mine)
    rows = [glance.row(i, comparators.get(i["id"], {})) for i in mine]
    sparks = {r["ind"]["id"]: spine.sparkline(r["ind"], pub.values(r["ind"]["id"], level="city"),
                                              r["trend"]["direction"]) for r in rows}
    figure = spine.chart(f"spine-{principle['key']}", f"Spine chart: {principle['label']}, Coventry among English "
                         "upper-tier authorities", rows)
    return _write(folder, f"principle-{principle['key']}.html", "principle.html.j2", principle=principle,
                  indicators=mine, rows=rows, spine=Markup(figure) if figure else None,
                  sparks={k: Markup(v) for k, v in sparks.items() if v},
                  activities=pub.activities(principle["key"]), **common)


def _overview(folder: Path, pub: Publication, principles: list[dict], indicators: list[dict], common: dict) -> str:
    at_a_glance = glance.glance(principles, indicators, pub.comparator_sets(indicators), pub.groups_worse(indicators),
                                pub.ward_values(indicators))
    figure = spine.chart("spine-overview", "Spine chart: every indicator, Coventry among English upper-tier "
                         "authorities", at_a_glance["rows"])
    return _write(folder, "index.html", "overview.html.j2", glance=at_a_glance,
                  spine=Markup(figure) if figure else None, **common)


def _assets(folder: Path) -> None:
    assets = folder / "assets"
    assets.mkdir(exist_ok=True)
    for asset in ("site.css", "compare.js", "search.js"):
        shutil.copyfile(files("marmot.publish.site") / "static" / asset, assets / asset)


def _common(pub: Publication, principles: list[dict]) -> dict:
    """What every page's frame (base.html.j2) shows."""
    return {"version": pub.version, "synthetic": pub.synthetic, "principles": principles, "missing": pub.missing}


def build_overview(folder: Path) -> str:
    """Only the overview page (and the style sheet) of the version in ``folder``: what tests measure."""
    folder = Path(folder)
    pub = Publication.open(folder)
    try:
        _assets(folder)
        principles, indicators = pub.principles(), pub.indicators()
        return _overview(folder, pub, principles, indicators, _common(pub, principles))
    finally:
        pub.close()


def _reusing(folder: Path, previous: Path | None, chart_cache: Path | None) -> None:
    global _worker_reuse
    _worker_reuse = charts.REUSE = reuse.Reuse(folder, previous, chart_cache)


def _open_version(folder: Path, previous: Path | None = None, chart_cache: Path | None = None) -> None:
    global _worker_pub
    _worker_pub = Publication.open(folder)
    _reusing(folder, previous, chart_cache)


def _render(job: tuple, common: dict) -> tuple[str, tuple]:
    """One indicator or principle page, with its charts and exports, from this process's view; with what it
    wrote or reused (``reuse.Reuse.drain``)."""
    kind, item, *indicators = job
    if kind == "indicator":
        page = _indicator_page(_worker_pub.folder, _worker_pub, item, common)
    else:
        page = _principle_page(_worker_pub.folder, _worker_pub, item, indicators[0], common)
    return page, _worker_reuse.drain()


def _render_all(folder: Path, pub: Publication, jobs: list[tuple], common: dict,
                previous: Path | None = None, chart_cache: Path | None = None) -> list[tuple[str, tuple]]:
    """Render every job; with more than one worker, this process renders too (from the end of the
    list) while the others start and take jobs from its front."""
    global _worker_pub, _worker_reuse
    _worker_pub = pub
    _reusing(folder, previous, chart_cache)
    try:
        helpers = min(site_workers(), len(jobs)) - 1
        if helpers < 1:
            return [_render(job, common) for job in jobs]
        pages: dict[int, tuple[str, tuple]] = {}
        queue = deque(enumerate(jobs))
        running: dict = {}
        # spawn, not fork: this process holds DuckDB's and vl-convert's threads
        with ProcessPoolExecutor(helpers, mp_context=get_context("spawn"), initializer=_open_version,
                                 initargs=(folder, previous, chart_cache)) as pool:
            while queue or running:
                for done in [f for f in running if f.done()]:
                    pages[running.pop(done)] = done.result()
                while queue and len(running) < 2 * helpers:  # keep each helper one job ahead
                    i, job = queue.popleft()
                    running[pool.submit(_render, job, common)] = i
                if queue:
                    i, job = queue.pop()
                    pages[i] = _render(job, common)
                elif running:
                    wait(running, return_when=FIRST_COMPLETED)
        return [pages[i] for i in range(len(jobs))]
    finally:
        _worker_pub = _worker_reuse = charts.REUSE = None


def _explore_pages(folder: Path, pub: Publication, indicators: list[dict], common: dict) -> list[str]:
    """compare.html (two indicators across wards) and search.html, their data embedded as JSON."""
    data = explore.compare_data(pub, indicators)
    a, b = (data[0], data[1]) if len(data) >= 2 else (None, None)
    index = explore.search_index(indicators)
    return [_write(folder, "compare.html", "compare.html.j2", data=data, a=a, b=b,
                   svg=explore.scatter_svg(a, b) if a else "", points=explore.pairs(a, b) if a else [],
                   json=explore.embedded(data), **common),
            _write(folder, "search.html", "search.html.j2", index=index, json=explore.embedded(index), **common)]


def build_site(folder: Path, previous: Path | None = None, chart_cache: Path | None = None) -> list[str]:
    """Write every page, chart and export of the version in ``folder``; return the page names.

    ``previous`` is the folder of the version published before it (for "what changed"; its unchanged exports
    are linked, not made again); charts made before are taken from ``chart_cache`` (``marmot.publish.site.reuse``)."""
    folder = Path(folder)
    pub = Publication.open(folder)
    try:
        (folder / "exports").mkdir(exist_ok=True)
        _assets(folder)
        principles, indicators = pub.principles(), pub.indicators()
        common = _common(pub, principles)
        jobs = [("principle", p, indicators) for p in principles] + [("indicator", i) for i in indicators]
        # principles first: a workbook is the longest job
        rendered = _render_all(folder, pub, jobs, common, previous, chart_cache)
        pages = [page for page, _ in rendered]
        keys = {k: v for _, (made, _, _) in rendered for k, v in made.items()}
        reuse.finish(folder, keys, chart_cache, {c for _, (_, used, _) in rendered for c in used})
        log.info("site: %d of %d exports linked from the previous version, %d charts", sum(
            n for _, (_, _, n) in rendered), len(keys), len({c for _, (_, used, _) in rendered for c in used}))
        status = pub.partner_status()
        pages.append(_write(folder, "partners.html", "partners.html.j2", sources=pub.sources(),
                            quality=pub.quality(), status=status,
                            validation=pub.manifest.get("validation") or {}, **common))
        pages += [_write(folder, f"delivery-{d['delivery']['batch_id']}.html", "delivery.html.j2", d=d,
                         status_as_of=status["as_of"], **common)
                  for d in (status or {}).get("datasets", []) if d["delivery"]]
        pages.append(_write(folder, "changes.html", "changes.html.j2",
                            diff=changes.compare(pub, previous), **common))
        (folder / "README.md").write_text(
            exports.readme(pub, indicators[0]["id"] if indicators else "<indicator_id>"), encoding="utf-8")
        pages.append(_write(folder, "data.html", "data.html.j2", tables=pub.tables,
                            has_docs=(folder / "data_docs" / "index.html").exists(),
                            has_report=(folder / "validation" / "report.html").exists(), **common))
        pages.append(_write(folder, "dictionary.html", "dictionary.html.j2", tables=pub.dictionary(), **common))
        pages += _explore_pages(folder, pub, indicators, common)
        pages.append(_overview(folder, pub, principles, indicators, common))
    finally:
        pub.close()
    log.info("site: %d pages in %s", len(pages), folder)
    return pages
