"""Build: dbt builds the indicator marts from the raw batches (dbt_project/)."""
