"""Developer tools, not shipped in the product wheel: synthetic data, demo, benchmark, local Airflow launcher."""

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent  # devtools runs from a checkout, never installed
