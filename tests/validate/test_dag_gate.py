"""Airflow: a failed gate fails the run, without retry, naming the report file in the task log."""

from __future__ import annotations

import pytest
from fixtures.marts import MART_SUITE, value_rows, write_build

from marmot.settings import dags_dir


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(dags_dir() / "marmot_publish.py")).dags["marmot_build_validate_publish"]


def test_a_failed_gate_fails_validate_and_publish_without_retry_naming_the_report(dag, home, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    import marmot.validate.gates

    monkeypatch.setattr(marmot.validate.gates, "load_suites", lambda: [MART_SUITE])  # independent of expectations/marts
    rows = value_rows()
    rows[0] = rows[0][:11] + (150.0,) + rows[0][12:]
    write_build(home, rows)
    # validate is never retried; publish retries an infrastructure error, but a gate failure raises
    # AirflowFailException, which Airflow never retries
    assert dag.get_task("validate").retries == 0 and dag.get_task("publish").retries >= 1
    with pytest.raises(AirflowFailException) as failed:
        dag.get_task("validate").python_callable({})
    [report] = home.validation.glob("*/report.txt")
    assert f"report: {report}" in str(failed.value) and "expect_column_values_to_be_between" in str(failed.value)
    with pytest.raises(AirflowFailException, match=f"report: {report}"):
        dag.get_task("publish").python_callable({"run_id": "x", "passed": False, "report": str(report)})
    assert not home.current.exists()
