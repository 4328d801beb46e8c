"""Local IMD deciles: Coventry's LSOAs ranked by IMD 2025 score into ten groups (1 = most
deprived), for the slope index of inequality (marmot.build.models.geography.local_imd_deciles,
unit-tested in tests/build/test_model_geography.py)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.geography import local_imd_deciles

    return local_imd_deciles(dbt.ref("lsoa21_imd2025").df())
