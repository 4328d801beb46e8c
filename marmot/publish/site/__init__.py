"""The Marmot Monitoring Tool site: static pages, SVG charts and exports for each published version."""

from marmot.publish.site.build import build_site

__all__ = ["build_site"]
