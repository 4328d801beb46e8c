"""How every marmot process logs: the CLI and a stage run for an Airflow task
(marmot/orchestration/stage_process.py)."""

from __future__ import annotations

import logging
import sys


def configure_logging(verbose: bool = False) -> None:
    """Log lines on stderr, as every marmot command (and a stage run for an Airflow task) writes them."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("great_expectations", "py4j"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
