"""Validate: write-audit-publish gates (Great Expectations suites in expectations/, platform gates)
on a staged candidate."""
