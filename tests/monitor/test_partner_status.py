"""`marmot status` and the site's partner status page give the same result on the same ledger and date: one
computation (marmot.monitor.freshness.dataset_status), partner and dataset names, what is late and since when, each
dataset's latest delivery linked to a public receipt that names no file."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from fixtures.deliveries import SECRET_NAME, write_ledger
from publish.site_fixtures import publish_version

from marmot.cli import main
from marmot.contracts import load_contracts
from marmot.ingest import ledger, receipts
from marmot.monitor import freshness

CONTRACTS = load_contracts()


def _cli_rows(out: str) -> dict[str, dict]:
    """The status table of `marmot status`, cut at its dashed line: id -> {column: text}."""
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---") and i and "partner" in lines[i - 1])
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    header = [lines[rule - 1][a:b].strip() for a, b in spans]
    rows = {}
    for line in lines[rule + 1:]:
        if not line.strip():
            break
        cells = dict(zip(header, [line[a:b + 400 if i == len(spans) - 1 else b].strip()
                                  for i, (a, b) in enumerate(spans)], strict=True))
        rows[cells["id"]] = cells
    return rows


def _page_rows(html: str) -> dict[tuple[str, str], list[str]]:
    section = html[html.index('id="cov-h"'):html.index('id="recv-h"')]
    table = section[section.index("<tbody>"):]
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        rows[(cells[0], cells[1])] = cells
    return rows


def test_status_command_and_partner_page_agree_and_say_what_is_late_since_when(home, capsys):
    today = date.today()
    write_ledger(home, today)
    folder = publish_version(home)
    html = (folder / "partners.html").read_text(encoding="utf-8")
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    statuses = freshness.dataset_status(CONTRACTS.values(), ledger.read_all(home.ledger), today)
    cli, page = _cli_rows(out), _page_rows(html)
    assert len(cli) == len(page) == len(statuses) == len(CONTRACTS)
    for s in statuses:
        row, cells = cli[s.contract_id], page[(s.partner_name, s.title)]
        assert (row["partner"], row["dataset"], row["status"], row["received / due"], row["behind since"]) == (
            cells[0], cells[1], cells[3], cells[4], cells[5]), s.contract_id
    counts = ", ".join(f"{n} {state}" for state, n in freshness.state_counts(statuses).items())
    assert counts.startswith(f"1 missing, 0 late, {len(CONTRACTS) - 2} nothing received, 1 up to date")
    assert counts in out and f"{len(statuses)} partner datasets; {counts}." in html

    [adm] = [s for s in statuses if s.contract_id == "hospital__admissions"]
    assert adm.state == "missing" and adm.received_late == 1 and [r.status for r in adm.owed] == ["missing"] * 2
    owed = "; ".join(f"{r.period} (missing, due {r.due}, {r.days_overdue} days overdue)" for r in adm.owed)
    assert (f"<li><strong>{adm.partner_name}: {adm.title}</strong> is missing since {adm.since}: {owed}.</li>"
            in html) and adm.since == adm.owed[-1].due and adm.owed_text() in out
    text = re.sub(r"<[^>]+>", " ", html)  # what a reader sees (a row's id is its dataset's code, for links)
    assert "hospital__admissions" not in text and ">hospital<" not in html, text[text.find("hospital__"):][:300]

    receipt = re.search(r'<a href="(delivery-[^"]+\.html)">[^<]*quarantined<span class="visually-hidden">: '
                        rf"receipt for {adm.title}</span></a>", html)[1]
    delivery = (folder / receipt).read_text(encoding="utf-8")
    assert receipts.HEADLINES["quarantined"] in delivery and "Wrong dataset folder" in delivery
    published = "".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file())
    assert SECRET_NAME not in published and "943 476 5919" not in published
    assert SECRET_NAME in out  # the command, for the data team, names the file as sent
