"""Slope and relative indices of inequality (SII, RII) with 95% limits of every indicator and period with IMD
quintile values, a reason where they cannot be computed, their change since the previous period and whether the
SII widens over the last five periods (marmot.build.models.inequality.quintile_sii, unit-tested in
tests/build/test_model_inequality.py).

The SIIs of an earlier build are reused where their inputs are the same (warehouse/sii_cache.json, keyed by a
hash of the inputs and the code; a pure function with a fixed seed), except in a full build
(MARMOT_DBT_FULL_BUILD, set by marmot.build.dbt)."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.build.models.cache import JsonCache
    from marmot.build.models.inequality import quintile_sii

    cache = JsonCache("sii_cache").load()
    sii = quintile_sii(dbt.ref("int_indicator_values__disclosure_controlled").df(),
                       dbt.ref("indicator_catalogue").df(), dbt.ref("int_indicator_periods").df(), cache)
    cache.save()
    return sii
