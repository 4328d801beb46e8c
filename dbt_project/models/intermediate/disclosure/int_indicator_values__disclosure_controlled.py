"""Disclosure control of every publishable indicator row, by each indicator's policy in the
catalogue: primary and secondary suppression, raw and published values side by side
(marmot.build.models.disclosure, unit-tested in tests/build/test_model_disclosure.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.disclosure import disclosure_control

    return disclosure_control(dbt.ref("int_indicator_values").df(), dbt.ref("indicator_catalogue").df())
