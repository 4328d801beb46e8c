"""Airflow Assets: the data-aware links between landing folders, ingest DAGs and the transform DAG."""

from __future__ import annotations

from airflow.sdk import Asset, AssetWatcher

from marmot.contracts import Contract

PUBLISHED = Asset(name="marmot_published", uri="file:///marmot/published/current")


def raw_asset(contract: Contract) -> Asset:
    """The raw batches of one partner dataset (updated by that dataset's ingest task)."""
    return Asset(name=f"marmot_raw__{contract.id}", uri=f"file:///marmot/raw/{contract.partner}/{contract.dataset}")


def landing_asset(contract: Contract) -> Asset:
    """Files a partner dropped in the dataset's landing folder, announced by the triggerer.

    The watcher's trigger is built from the contract and the home the DAG processor sees, which is
    the one every component shares (``$MARMOT_HOME``); it does no I/O at parse time.
    """
    from marmot.land.watch import LandingFilesTrigger
    from marmot.settings import landing_poll_seconds, paths

    trigger = LandingFilesTrigger(landing=str(paths().landing), partner=contract.partner,
                                  dataset=contract.dataset, poll_seconds=landing_poll_seconds())
    return Asset(name=f"marmot_landing__{contract.id}",
                 uri=f"file:///marmot/landing/{contract.partner}/{contract.dataset}",
                 watchers=[AssetWatcher(name=f"landing_watch__{contract.id}", trigger=trigger)])
