"""Ingest: read each claimed file, check it against its contract, archive, load, ledger, receipt."""
