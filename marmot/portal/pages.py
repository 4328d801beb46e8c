"""The portal's HTML: Jinja templates in ``templates/`` (escaped by default), one stylesheet inlined in each page
(no CDN, no other request), a little text for each status."""

from __future__ import annotations

from functools import cache

import jinja2

from marmot.ingest.receipts import HEADLINES

PRECHECK_HEADLINES = {
    "accepted": "Every row passes the checks.",
    "accepted_with_warnings": "The file would load, but some rows or columns need attention (below).",
    "quarantined": "This file would not load: nothing in it would be used. Fix the problem below and upload it again.",
    "duplicate": "We already have this exact file, so it would not be loaded again.",
}
STATES = {"up to date": "Up to date", "late": "Late", "missing": "Missing", "nothing received": "Nothing received yet"}


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("marmot.portal", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(receipt_headlines=HEADLINES, precheck_headlines=PRECHECK_HEADLINES, states=STATES)
    return env


def render(name: str, **context: object) -> str:
    return _env().get_template(name).render(**context)
