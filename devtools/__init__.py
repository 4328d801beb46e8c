"""Developer tools, not shipped in the product wheel: synthetic data, demo, benchmark, local Airflow launcher."""
