"""Each publishable indicator row compared with England and with the West Midlands region of the same
period (Fingertips comparator method 1), judged by the indicator's polarity; the comparators come from
int_indicator_comparators (Fingertips, or England's approximate seed value, labelled so)
(marmot.build.models.benchmarking.england_comparisons, unit-tested in tests/build/test_model_benchmarking.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.benchmarking import england_comparisons

    return england_comparisons(dbt.ref("int_indicator_values__disclosure_controlled").df(),
                               dbt.ref("indicator_catalogue").df(), dbt.ref("int_indicator_comparators").df())
