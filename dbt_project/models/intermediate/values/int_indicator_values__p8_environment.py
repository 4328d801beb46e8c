"""Values of the p8_environment indicators (marmot.build.models.indicator_values, see int_indicator_values)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.indicator_values import indicator_values

    return indicator_values(dbt.ref("int_indicator_counts__p8_environment").df(), dbt.ref("indicator_catalogue").df())
