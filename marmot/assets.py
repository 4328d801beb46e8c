"""Airflow Assets: the data-aware links between the ingest DAGs and the transform DAG."""

from __future__ import annotations

from airflow.sdk import Asset

from marmot.contracts import Contract

PUBLISHED = Asset(name="marmot_published", uri="file:///marmot/published/current")


def raw_asset(contract: Contract) -> Asset:
    """The raw batches of one partner dataset (updated by that dataset's ingest task)."""
    return Asset(name=f"marmot_raw__{contract.id}", uri=f"file:///marmot/raw/{contract.partner}/{contract.dataset}")
