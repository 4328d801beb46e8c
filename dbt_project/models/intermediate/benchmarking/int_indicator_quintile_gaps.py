"""The gap between the most and least deprived IMD quintiles of every indicator and period, with
its 95% CI and whether it widened or narrowed since the previous period
(marmot.build.models.inequality.quintile_gaps, unit-tested in tests/build/test_model_inequality.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.inequality import quintile_gaps

    return quintile_gaps(dbt.ref("int_indicator_values__disclosure_controlled").df())
