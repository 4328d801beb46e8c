"""Recent trend of every city indicator (persons) at its latest complete period: the Fingertips test over
the last five consecutive annual published points, with a reason for every result
(marmot.build.models.benchmarking.trends, unit-tested in tests/build/test_model_benchmarking.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.benchmarking import trends

    return trends(dbt.ref("int_indicator_values__disclosure_controlled").df(), dbt.ref("indicator_catalogue").df(),
                  dbt.ref("int_indicator_periods").df())
