"""England, region, peer and peer-median comparators of every indicator period from the Fingertips values of
the same period; England from the approximate seed, labelled approximate, where Fingertips has none
(marmot.build.models.comparators.comparators, unit-tested in tests/build/test_model_comparators.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.comparators import comparators

    return comparators(dbt.ref("int_indicator_periods").df(), dbt.ref("fingertips_indicators").df(),
                       dbt.ref("peer_group").df(), dbt.ref("stg_ohid__fingertips").df(),
                       dbt.ref("england_benchmarks").df())
