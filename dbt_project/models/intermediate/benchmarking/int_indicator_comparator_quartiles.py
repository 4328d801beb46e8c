"""Minimum, quartiles and maximum of all upper-tier authorities' Fingertips values of each indicator period,
for a spine chart (marmot.build.models.comparators.quartiles, unit-tested in tests/build/test_model_comparators.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.comparators import quartiles

    return quartiles(dbt.ref("int_indicator_periods").df(), dbt.ref("fingertips_indicators").df(),
                     dbt.ref("stg_ohid__fingertips").df())
