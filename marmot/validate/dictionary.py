"""The data dictionary of a published version: every table and column with its type and description.

The descriptions are the dbt YAML's (``persist_docs`` writes them as DuckDB comments, the candidate
copy keeps them), so the dictionary, the DuckDB file an analyst opens and the dbt docs say the same.
A published column without a description fails validation (``platform.columns_described``);
publishing writes it beside the tables (``data_dictionary.csv``, ``dictionary.html``).
"""

from __future__ import annotations

import duckdb

HEADER = ["table_name", "table_description", "column_name", "data_type", "description"]
QUERY = """
SELECT c.table_name, t.comment AS table_description, c.column_name, c.data_type, c.comment AS description
FROM duckdb_columns() AS c
JOIN duckdb_tables() AS t USING (database_name, schema_name, table_name)
WHERE c.database_name = current_database() AND c.schema_name = 'main'
ORDER BY c.table_name, c.column_index
"""


def entries(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """One record per published column, in table and column order."""
    return [dict(zip(HEADER, row, strict=True)) for row in con.execute(QUERY).fetchall()]


def undescribed(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Table -> its columns without a description (tables without one are listed with the column ``(table)``)."""
    out: dict[str, list[str]] = {}
    for e in entries(con):
        if not (e["table_description"] or "").strip() and "(table)" not in out.get(e["table_name"], []):
            out.setdefault(e["table_name"], []).append("(table)")
        if not (e["description"] or "").strip():
            out.setdefault(e["table_name"], []).append(e["column_name"])
    return out
