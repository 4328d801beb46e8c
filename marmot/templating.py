"""Jinja2 templates shipped with the package (HTML-escaped by default)."""

from __future__ import annotations

from functools import cache

import jinja2


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("marmot", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context) -> str:
    return _env().get_template(name).render(**context)
