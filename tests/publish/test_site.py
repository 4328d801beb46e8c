"""The static site each publication carries: pages, charts, exports, what changed, missing marts."""

from __future__ import annotations

import csv
import re
import threading
import urllib.error
import urllib.request

import duckdb
import pytest
from openpyxl import load_workbook

from marmot.publish.site import spine
from marmot.publish.site.build import build_site
from marmot.publish.site.publication import NotPublishable
from marmot.publish.site.serve import make_server
from marmot.settings import Paths
from publish.site_fixtures import (
    APPROXIMATE_ENGLAND,
    INDICATORS,
    PERIODS,
    PRINCIPLES,
    REGION,
    SUPPRESSED_WARD,
    publish_built,
    publish_version,
    write_build,
)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One publication the read-only tests share."""
    return publish_version(Paths(tmp_path_factory.mktemp("site") / "home"))


def _page(folder, name):
    return (folder / name).read_text(encoding="utf-8")


def test_every_page_of_the_version_is_written(published):
    pages = {p.name for p in published.glob("*.html")}
    assert pages == ({"index.html", "partners.html", "changes.html", "data.html", "dictionary.html", "compare.html",
                      "search.html"} | {f"indicator-{i[0]}.html" for i in INDICATORS}
                     | {f"principle-{k}.html" for k in PRINCIPLES})
    for name in pages:
        html = _page(published, name)
        assert "Synthetic demo data" in html, name
        assert '<a class="skip" href="#main">' in html and '<main id="main"' in html, name
        links = re.findall(r'(?:href|src)="([^"]*)"', html)
        assert links and [u for u in links if re.match(r"[a-z]+:|//", u) and u != "data:,"] == [], name  # all local


def _grid_row(html: str, ind_id: str) -> str:
    return re.search(rf'<tr data-indicator="{ind_id}">.*?</tr>', html, re.S).group(0)


def _cells(row: str) -> list[tuple[str, str]]:
    """(class, words) of each coloured cell of a grid row: Coventry vs England, region, peers, trend, gap."""
    return [(c, " ".join(re.sub(r"<[^>]+>", " ", text).split()))
            for c, text in re.findall(r'<td class="rug ([\w-]+)"[^>]*>(.*?)</td>', row, re.S)]


def test_overview_grid_has_one_row_per_indicator_coloured_by_significance_and_polarity(published):
    html = _page(published, "index.html")
    grid = html[html.index('id="grid-h"'):]
    assert grid.count("<tr data-indicator=") == len(INDICATORS)
    assert [t for t in re.findall(r'<tr class="group"><th scope="colgroup" colspan="7"><a [^>]*>(.*?)</a>', grid)] \
        == list(PRINCIPLES.values())  # grouped by principle, in their order
    expected = {"Better": "better", "Similar": "similar", "Worse": "worse", "Higher": "bob-higher"}
    for ind_id, _, _, _, _, england, comparison, _ in INDICATORS:
        row = _grid_row(grid, ind_id)
        cells = _cells(row)
        assert cells[0][0] == expected[comparison] and cells[0][1].endswith(comparison), (ind_id, cells)
        assert f'<td class="num">{england:.1f}' in row
        assert cells[1][1].endswith(REGION.get(ind_id, "Not compared"))  # the mart's region comparison
        assert len(cells) == 5 and all(words for _, words in cells)  # every coloured cell says it in words too
    # polarity: lower is better (low birth weight) and higher is better (healthy weight) are both worse, red;
    # free school meals (no polarity) is higher, dark blue, and its trend is a blue 'Increasing'
    assert _cells(_grid_row(grid, "p1_low_birth_weight"))[0] == ("worse", "5.1 Worse")
    assert _cells(_grid_row(grid, "h0_healthy_weight"))[0] == ("worse", "41.6 Worse")
    assert _cells(_grid_row(grid, "p1_school_readiness"))[0] == ("better", "64.6 Better")
    fsm = _cells(_grid_row(grid, "p4_fsm"))
    assert fsm[0] == ("bob-higher", "28.6 Higher") and fsm[3] == ("trend-changing", "↑ Increasing")
    # peers: the peers' median (England - 1) against Coventry's 95% interval, by polarity
    assert _cells(_grid_row(grid, "p1_low_birth_weight"))[2] == ("worse", "1.9 Worse")
    assert _cells(_grid_row(grid, "p1_school_readiness"))[2] == ("better", "59.0 Better")
    assert _cells(_grid_row(grid, "h0_healthy_weight"))[3:] == [("trend-worsening", "↓ Getting worse"),
                                                                ("worse", "Widening")]
    assert _cells(_grid_row(grid, "p1_low_birth_weight"))[4] == ("better", "Narrowing")
    assert _cells(_grid_row(grid, "p4_fuel_poverty"))[3] == ("trend-unknown", "? Not calculated")
    # the approximate England comparator is marked, and the key says what the mark means
    assert 'title="Approximate England value' in _grid_row(grid, APPROXIMATE_ENGLAND)
    assert 'title="Approximate England value' not in _grid_row(grid, "p4_fsm") and "approximate England value" in grid


def test_overview_headline_names_the_worse_and_worsening_and_the_widening_gaps(published):
    html = _page(published, "index.html")
    headline = html[html.index('class="glance-headline"'):html.index('class="tiles"')]
    worse, widening = re.findall(r"<div><p>(.*?)</div>", headline, re.S)
    groups = re.search(r'<div class="groups">(.*?)</div>', headline, re.S).group(1)  # for whom: worse than Coventry
    assert ">1</strong> sex or ethnic group is <strong>worse than Coventry as a whole" in groups
    assert re.findall(r'<li><a href="indicator-(\w+)\.html">[^<]*</a>: ([^<]*)</li>', groups) == [
        ("p1_school_readiness", "Black")]
    expected = [i[0] for i in INDICATORS if i[6] == "Worse" and "getting worse" in (i[7] or "")]
    assert expected == ["h0_healthy_weight", "p1_low_birth_weight"]
    assert re.findall(r'href="indicator-(\w+)\.html"', worse) == expected and worse.startswith(
        '<strong class="count worse">2</strong> of 6 indicators are <strong>worse than England and getting worse')
    assert re.findall(r'href="indicator-(\w+)\.html"', widening) == [
        "h0_healthy_weight", "p1_school_readiness", "p4_fsm"]  # school readiness by its SII over five periods
    assert re.findall(r"</a>( <abbr[^>]*>\(SII\)</abbr>)?</li>", widening) == ["", " " + re.search(
        r"<abbr[^>]*>\(SII\)</abbr>", widening).group(0), ""]
    # where: the wards worse than Coventry on the most indicators (the ranking: tests/publish/test_glance.py)
    where = re.search(r'<span class="where">(.*?)</span>', headline, re.S).group(1)
    assert re.search(r"on the most indicators: [^<]+ <strong>\d+</strong> of \d+[,.]", where)
    tiles = re.findall(r'<li class="tile">(.*?)</li>', html, re.S)
    assert len(tiles) == len(PRINCIPLES)
    best_start = next(t for t in tiles if "principle-P1_best_start.html" in t)
    for text in ("2 indicators", '"badge better">1 better', '"badge similar">0 similar', '"badge worse">1 worse',
                 '"trend improving">1 improving', '"trend worsening">1 worsening', "1 gap widening"):
        assert text in best_start, text
    assert "no judgement" in next(t for t in tiles if "P4_living_standard" in t)


def test_spine_chart_puts_better_on_the_same_side_whatever_the_polarity():
    spread = {"authorities_min": 0.0, "authorities_q1": 4.0, "authorities_median": 5.0, "authorities_q3": 6.0,
              "authorities_max": 10.0}
    high_is_good = spine.positions(spread, 8.0, 5.0, "HiG")  # higher than England: better
    low_is_good = spine.positions(spread, 2.0, 5.0, "LiG")  # lower than England: better
    assert high_is_good["coventry"] > 0.5 and low_is_good["coventry"] > 0.5  # both on the right
    assert spine.positions(spread, 8.0, 5.0, "LiG")["coventry"] < 0.5  # higher where low is good: worse, left
    assert high_is_good["england"] == 0.5 and high_is_good["max"] == 1.0 and low_is_good["max"] == 0.0
    assert spine.positions(spread, 8.0, 5.0, "BOB")["coventry"] > 0.5  # no polarity: higher on the right


def test_principle_page_has_a_spine_chart_with_its_table_and_sparklines(published):
    html = _page(published, "principle-P1_best_start.html")
    svg = re.search(r'<svg[^>]*class="chart spine".*?</svg>', html, re.S).group(0)
    assert 'role="img" id="spine-P1_best_start" aria-labelledby="spine-P1_best_start-t spine-P1_best_start-d"' in svg
    assert re.search(r'<title id="spine-P1_best_start-t">[^<]+</title><desc id="spine-P1_best_start-d">[^<]+</desc>',
                     svg)
    assert min(float(f) for f in re.findall(r'font-size="([0-9.]+)px"', svg)) >= 11
    def coventry_x(ind_id):
        row = re.search(rf'data-indicator="{ind_id}">.*?</g>', svg, re.S).group(0)
        return float(re.search(r'<circle class="spine-coventry (\w+)" cx="([0-9.]+)"', row).group(2))
    centre = spine.PAD + spine.NAME_W + spine.SPINE_W / 2
    # low birth weight (low is good) and school readiness (high is good): worse left, better right
    assert coventry_x("p1_low_birth_weight") < centre < coventry_x("p1_school_readiness")
    table = html[html.index("The spine chart as a table"):html.index("</details>")]
    assert table.count("<tr><th scope=\"row\">") == 2 and "<td>lower</td>" in table and "<td>higher</td>" in table
    assert html.count('<svg class="spark" role="img"') == 2
    overview = _page(published, "index.html")  # every indicator's spine, folded under the grid
    folded = overview[overview.index('<details class="spine-all">'):]
    assert folded.count('<g class="spine-row"') == len(INDICATORS) and 'id="spine-overview"' in folded


def test_the_grid_and_spine_say_so_without_comparators(home):
    write_build(home.build_db)
    con = duckdb.connect(str(home.build_db))
    con.execute("DROP TABLE marts.mart_indicator_comparators")
    con.close()
    folder = publish_built(home)
    principle = _page(folder, "principle-P1_best_start.html")
    assert "<code>mart_indicator_comparators</code> not in this version" in principle and "chart spine" not in principle
    overview = _page(folder, "index.html")
    assert overview.count("<tr data-indicator=") == len(INDICATORS)
    assert "<code>mart_indicator_comparators</code> not in this version" in overview


def test_indicator_page_has_accessible_charts_with_their_data_tables(published):
    html = _page(published, "indicator-p1_school_readiness.html")
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) == 5  # trend, gradient, SII, wards; the ward map (tests/publish/test_maps.py)
    for svg in svgs:
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)
        assert f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d"' in svg
        assert re.search(rf'<title id="{chart_id}-t">[^<]+</title><desc id="{chart_id}-d">[^<]+</desc>', svg)
        assert "mark-" in svg or 'class="map"' in svg
    # the site's test boundaries are a synthetic file (site_fixtures.BOUNDARIES): its map says so
    assert "Wards drawn from their boundaries (a synthetic boundary file made for the demo and tests" in html
    assert html.count("<table>") == 7  # trend, comparators, quintiles, inequality over time, groups, wards, breakdowns
    assert "Dashed line: England, 60.0 in 2025/26." in svgs[0]
    about = html[html.index('id="about-h"'):]
    for text in ("Definition of School readiness", "Numerator of p1_school_readiness",
                 "How to read p1_school_readiness", "Gap of p1_school_readiness",
                 "<strong>Proportion with Wilson score interval.</strong>",
                 "Reference: Wilson EB (1927)", "Early Years service: Dataset of p1_school_readiness, delivered annual",
                 'href="partners.html#housing__p1_school_readiness">data status</a>',
                 "Latest data received 2026-06-01 10:00", "None beyond the method.", 'href="dictionary.html"'):
        assert text in about, text
    assert 'href="exports/indicator-p1_school_readiness.csv"' in html


def test_the_data_dictionary_lists_every_published_table_and_column(published):
    html = _page(published, "dictionary.html")
    con = duckdb.connect(str(published / "marmot.duckdb"), read_only=True)
    try:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                              "AND database_name = current_database() "
                              "ORDER BY table_name, column_index").fetchall()
    finally:
        con.close()
    for table, column in columns:
        assert f'<h2 id="{table}">' in html and f"<code>{column}</code>" in html
    with open(published / "data_dictionary.csv", newline="", encoding="utf-8") as f:
        assert [(r["table_name"], r["column_name"]) for r in csv.DictReader(f)] == columns
    assert 'href="dictionary.html"' in _page(published, "data.html")


def test_indicator_page_shows_the_sii_with_its_sign_its_history_and_the_groups_compared(published):
    html = _page(published, "indicator-p1_school_readiness.html")
    part = html[html.index('id="inequality-h"'):html.index('id="wards-h"')]
    assert "No slope index" not in html  # the developer note of versions without an SII is gone
    headline = part[:part.index("<table>")]
    assert "11.0 %" in headline and "95% CI 9.0 to 13.0" in headline and "1.12<br>" in headline
    assert "95% CI 1.05 to 1.20" in headline  # ratios to 2 decimals
    assert "Widening" in headline and "weighted regression of the SII on year over 2021/22 to 2025/26" in headline
    assert "a positive value means the least deprived do better" in headline
    assert '<svg role="img" aria-labelledby="sii-p1_school_readiness-t' in part  # 4 of the 5 periods have an SII
    assert "2021/22 7.0; 2023/24 9.0; 2024/25 10.0; 2025/26 11.0." in part
    history = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", part[part.index("Gap and slope"):], re.S)
    assert [p for p, _ in history][:5] == PERIODS
    assert "a quintile value is suppressed or missing (Q2)" in history[1][1]
    groups = part[part.index('id="comparisons-h"'):]
    assert "Males are the reference." in groups and "Coventry (all persons)" in groups
    assert '<th scope="row">Female</th>' in groups and '<th scope="row">F</th>' not in groups  # names, not codes
    assert '<span class="badge better">Better</span>' in groups and "a value is suppressed or missing" in groups
    # an indicator without inequality rows has neither section
    other = _page(published, "indicator-p4_fsm.html")
    assert 'id="inequality-h"' not in other and 'id="comparisons-h"' not in other


def test_suppressed_values_are_starred_on_pages_and_blank_in_exports(published):
    html = _page(published, "indicator-p1_low_birth_weight.html")
    wards = html[html.index('id="wards-h"'):html.index('id="about-h"')]
    assert re.search(r'<th scope="row">Wainbody</th><td class="num"><abbr title="suppressed to protect small numbers">'
                     r"\*</abbr></td>", wards)
    with open(published / "exports" / "indicator-p1_low_birth_weight.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hidden = [r for r in rows if r["area_code"] == SUPPRESSED_WARD and r["is_suppressed"] == "True"]
    assert len(hidden) == 1 and hidden[0]["value"] == hidden[0]["numerator"] == "" and hidden[0]["suppression_reason"]
    assert len(rows) == 5 * 10


def test_a_section_without_a_chart_says_why(home):
    """No ward rows at all is not the same as ward values hidden: each page says which (as seen, both said
    'No unsuppressed values' when nothing was suppressed); no page carries a note about a missing SII line."""
    write_build(home.build_db)
    con = duckdb.connect(str(home.build_db))
    con.execute("DELETE FROM marts.mart_indicator_values WHERE indicator_id = 'p4_fsm' AND geography_level = 'ward'")
    con.execute("UPDATE marts.mart_indicator_values SET is_suppressed = true, value = NULL, lower_95 = NULL, "
                "upper_95 = NULL WHERE indicator_id = 'p4_fuel_poverty' AND geography_level = 'imd_quintile' "
                "AND area_code IN ('Q1', 'Q2')")
    con.execute("UPDATE marts.mart_indicator_values SET value = NULL, lower_95 = NULL, upper_95 = NULL "
                "WHERE indicator_id = 'p4_fuel_poverty' AND geography_level = 'imd_quintile'")
    con.close()
    folder = publish_built(home)
    fsm, fuel = _page(folder, "indicator-p4_fsm.html"), _page(folder, "indicator-p4_fuel_poverty.html")
    assert "<p>No ward breakdown is published for this indicator.</p>" in fsm
    assert ("<p>Nothing to chart: of 5 deprivation quintile values, 2 hidden to protect small numbers (* in the "
            "table), 3 not calculated (- in the table).</p>") in fuel
    assert "No ward breakdown" not in fuel and "Nothing to chart" not in fsm and "unsuppressed" not in fsm + fuel
    assert not any("no slope index" in p.read_text(encoding="utf-8").lower() for p in folder.glob("*.html"))


def test_every_table_scrolls_inside_a_named_focusable_box(published):
    """A table wider than a phone scrolls in its box, not the page; a keyboard user can scroll it too."""
    boxes = 0
    for page in published.glob("*.html"):
        html = _page(published, page.name)
        tables = re.findall(r"(<[^<]*>)\s*<table\b", html)
        assert len(tables) == html.count("<table"), page.name
        boxes += len(tables)
        for box in tables:
            assert box.startswith('<div class="scroll" role="region"') and 'tabindex="0"' in box, (page.name, box)
            assert re.search(r'aria-label="[^"]+"', box), (page.name, box)
    assert boxes > 3 * len(INDICATORS)


def test_principle_workbook_holds_indicators_groups_metadata_and_notes_filtered_and_runs_no_formula(published):
    wb = load_workbook(published / "exports" / "principle-P1_best_start.xlsx")
    assert wb.sheetnames == ["Indicators", "Latest", "Comparators", "Sex and ethnicity", "Metadata", "Notes"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and all(cell.font.b for cell in ws[1]), ws.title  # header frozen, bold
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
    indicators = wb["Indicators"]
    header = [c.value for c in indicators[1]]
    value = indicators.cell(2, header.index("value") + 1)
    assert isinstance(value.value, float) and value.number_format == "#,##0.0###"
    assert indicators.column_dimensions["A"].width >= len("indicator_id")
    groups = list(wb["Sex and ethnicity"].values)
    assert [(r[0], r[3]) for r in groups[1:]] == [("p1_school_readiness", "F"), ("p1_school_readiness", "M")]
    values = list(wb["Indicators"].values)
    assert values[0][:2] == ("indicator_id", "indicator_name") and "england_comparison" in values[0]
    assert {r[0] for r in values[1:]} == {"p1_school_readiness", "p1_low_birth_weight"}
    assert [r[4] for r in wb["Latest"].values] == ["trend_label", "Increasing and getting worse",
                                                   "Increasing and getting better"]
    assert len(values) == 1 + 2 * 5 * 10
    formula_cells = [c for row in wb["Indicators"].iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for r in values for v in r)
    metadata = list(wb["Metadata"].values)
    assert [r[0] for r in metadata][1:] == ["p1_low_birth_weight", "p1_school_readiness"]
    assert "definition" in metadata[0] and "how_to_read" in metadata[0]
    comparators = list(wb["Comparators"].values)
    kinds = {(r[0], r[2]) for r in comparators[1:]}
    assert {("p1_low_birth_weight", "england"), ("p1_low_birth_weight", "region"),
            ("p1_low_birth_weight", "peer_median")} <= kinds and "is_peer_list_verified" in comparators[0]
    notes = " ".join(r[0] for r in wb["Notes"].values)
    assert "is_suppressed" in notes and "SYNTHETIC" in notes and "peer list (CIPFA nearest neighbours) is " \
        "recalled, not yet confirmed" in notes


def test_principle_page_shows_its_summary_activities_and_case_studies(published):
    html = _page(published, "principle-P1_best_start.html")
    assert "1 improving</span>, <span class=\"trend worsening\">1 worsening</span>" in html
    assert "1 worse (1 of them against an approximate England value)." in html  # approximations say so
    assert "against an approximate" not in _page(published, "principle-P4_living_standard.html")
    activities = html[html.index('id="act-h"'):html.index('id="case-h"')]
    latest = activities[:activities.index("People reached by ward")]
    assert "Partner programmes by ward, 2026-Q2" in latest and "2026-Q1" not in latest
    # universal and in proportion to need, then the people reached by ward in each quarter
    assert re.search(r'<th scope="row">Foleshill</th><td class="num">3</td><td class="num">1</td>'
                     r'<td class="num">2</td><td class="num">420</td>', activities)
    assert "People reached by ward, 2026-Q1 to 2026-Q2" in activities
    assert re.search(r'<th scope="row">Earlsdon</th><td class="num">75</td><td class="num">80</td>', activities)
    cases = html[html.index('id="case-h"'):]
    assert "<h3>A family finds support</h3>" in cases and "<h3>Stay and play at the hub</h3>" in cases
    assert "A family was helped to find a nursery place" in cases and "<strong>Outcome:</strong> The child" in cases
    other = _page(published, "principle-P4_living_standard.html")
    assert "No case studies submitted under this principle." in other and "A family finds support" not in other


def test_partner_page_shows_files_quality_and_partner_names(published):
    html = _page(published, "partners.html")
    row = re.search(r'<th scope="row">housing</th><td>fuel_poverty</td><td class="num">1</td>.*?</tr>', html, re.S)
    assert "2026-06-01" in row.group(0) and "1 warnings" in row.group(0) and "households within range" in row.group(0)
    files = html[html.index('id="recv-h"'):]  # a dataset with a contract by its names, one without by its codes
    assert ('<th scope="row">Coventry City Council - Early Years</th><td>Early Years Foundation Stage Profile '
            "results, pupil level</td>") in files
    status = html[html.index('id="cov-h"'):html.index('id="recv-h"')]
    assert "30 partner datasets; 0 missing, 0 late, 30 nothing received, 0 up to date." in status  # empty ledger
    assert re.search(r'<tr id="early_years__eyfsp"[ >]', status)  # the anchor of the indicators' data status links


def test_changes_page_names_new_periods_changed_values_and_first_publication(home):
    first = publish_version(home, first_period=1)
    assert "this is the first publication" in _page(first, "changes.html")
    second = publish_version(home, shift_readiness=0.5)
    html = _page(second, "changes.html")
    assert f"compared with version {first.name}" in html
    new = html[html.index("New periods"):html.index("Values that changed")]
    assert len(re.findall(r"<li>", new)) == len(INDICATORS) and new.count("2021/22") == len(INDICATORS)
    assert "2022/23" not in new
    # school readiness: 4 shared periods x 10 areas, less the ward suppressed in both versions
    assert "<p>39 published values differ" in html


def test_bigger_marts_not_yet_published_are_named_not_hidden(home):
    folder = publish_version(home, bigger=False)
    overview, indicator = _page(folder, "index.html"), _page(folder, "indicator-p4_fsm.html")
    for html in (overview, indicator):
        assert "<code>mart_indicator_latest</code> not in this version" in html
    assert "<code>mart_indicator_comparators</code> not in this version" in overview
    assert "<code>mart_indicator_metadata</code> not in this version" in indicator
    assert "<code>mart_indicator_inequalities</code> not in this version" in indicator
    assert "<code>mart_indicator_group_comparisons</code> not in this version" in indicator
    assert '<span class="v">28.6</span> <span class="w">Not compared</span>' in overview  # values still shown
    principle = _page(folder, "principle-P1_best_start.html")
    assert "<code>mart_principle_summary</code> not in this version" in principle
    assert principle.count("<code>mart_partner_activities</code> not in this version") == 2


def test_a_mart_that_lacks_a_column_the_site_reads_is_named(home):
    write_build(home.build_db)
    con = duckdb.connect(str(home.build_db))
    con.execute("ALTER TABLE marts.mart_indicator_latest DROP COLUMN trend_label")
    con.close()
    folder = publish_built(home)
    assert "<code>mart_indicator_latest</code> lacks columns trend_label" in _page(folder, "index.html")


def test_a_version_without_the_indicator_values_is_an_error(tmp_path):
    folder = tmp_path / "v"
    folder.mkdir()
    duckdb.connect(str(folder / "marmot.duckdb")).execute("CREATE TABLE mart_publication_sources (x INT)").close()
    with pytest.raises(NotPublishable, match="mart_indicator_values"):
        build_site(folder)


def test_readme_examples_run_against_the_published_database(published):
    readme = _page(published, "README.md")
    assert "marmot query" in readme and "duckdb -readonly marmot.duckdb" in readme and "pd.read_csv" in readme
    sql = re.search(r'duckdb -readonly marmot.duckdb "(.*?)"', readme, re.S).group(1).replace("\\\n", "")
    con = duckdb.connect(str(published / "marmot.duckdb"), read_only=True)
    assert len(con.execute(sql).fetchall()) == 5 * 5
    con.close()


def test_serve_is_read_only_on_loopback(published):
    server = make_server(published)
    host, port = server.server_address
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html") as r:
            assert r.status == 200 and b"Coventry Marmot" in r.read()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/index.html", data=b"x", method="POST")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request)
        assert err.value.code == 501
        for folder in ("exports/", "exports"):  # no listing: a reader sees only the files the pages link to
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/{folder}")
            assert err.value.code == 404 and b".csv" not in err.value.read()
    finally:
        server.shutdown()
        server.server_close()


def _sheets(path):
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in load_workbook(path).worksheets}


@pytest.mark.parametrize("workers", ["1", "3"])
def test_pages_rendered_by_helper_processes_are_the_same_as_by_one_process(published, tmp_path, monkeypatch, workers):
    """Indicator and principle pages with their charts and exports; the published fixture was
    rendered with this machine's default (2 cores: this process and one helper)."""
    folder = tmp_path / "v"
    folder.mkdir()
    for name in ("marmot.duckdb", "manifest.json"):
        (folder / name).write_bytes((published / name).read_bytes())
    monkeypatch.setenv("MARMOT_SITE_WORKERS", workers)
    build_site(folder)
    rendered = sorted(p.relative_to(folder)
                      for p in (*folder.glob("indicator-*.html"), *folder.glob("principle-*.html"),
                                *folder.glob("exports/*")))
    assert len(rendered) == 2 * (len(INDICATORS) + len(PRINCIPLES))
    for rel in rendered:
        if rel.suffix == ".xlsx":  # the workbook's zip holds its creation time
            assert _sheets(folder / rel) == _sheets(published / rel), rel
        else:
            assert (folder / rel).read_bytes() == (published / rel).read_bytes(), rel
