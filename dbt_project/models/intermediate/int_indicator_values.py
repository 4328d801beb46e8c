"""Value and 95% confidence interval of every indicator row by its catalogue method, with the
tested ``marmot.stats`` implementations (Wilson, exact/Byar's rates, Dobson DSRs, means,
Chiang II life expectancy, slope index of inequality); raw values, never published
(marmot.build.models.indicator_values, unit-tested in tests/build/test_model_indicator_values.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.indicator_values import indicator_values

    return indicator_values(dbt.ref("int_indicator_counts").df(), dbt.ref("indicator_catalogue").df())
