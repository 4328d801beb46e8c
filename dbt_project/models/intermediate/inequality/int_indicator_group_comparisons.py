"""Each city value by sex or ethnic group against the breakdown's reference group (seed
comparison_reference_groups) and against Coventry: ratio and difference with 95% limits and a label
(marmot.build.models.inequality.group_comparisons, unit-tested in tests/build/test_model_inequality.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.inequality import group_comparisons

    return group_comparisons(dbt.ref("int_indicator_values__disclosure_controlled").df(),
                             dbt.ref("indicator_catalogue").df(), dbt.ref("comparison_reference_groups").df())
