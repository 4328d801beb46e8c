"""The logic of the dbt Python models (dbt_project/models/**/*.py) as functions of DataFrames.

Each model only reads its inputs with ``dbt.ref`` and calls one function here, so the logic is
unit-tested with small frames and known answers (tests/build/test_model_*.py) and the
statistics stay the tested ``marmot.stats`` implementations.
"""
