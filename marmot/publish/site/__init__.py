"""The Marmot Monitoring Tool site: static pages, SVG charts and exports for each published version
(``build.build_site``)."""
