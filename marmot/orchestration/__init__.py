"""Orchestration: what the Airflow DAGs (dags/) call: assets, settling bursts, stage processes, the stages in order."""
