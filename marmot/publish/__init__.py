"""Publish: an immutable, read-only version of the audited candidate: database, exports, site."""
