"""Small DuckDB helpers: run a statement to completion (DuckDB 2 keeps unfinished results open)."""

from __future__ import annotations

from typing import Any

import duckdb


def run(con: duckdb.DuckDBPyConnection, statement: str, params: list[Any] | None = None) -> None:
    con.execute(statement, params or []).fetchall()


def rows(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts, for the few result sets small enough to handle in Python (alerts)."""
    cursor = con.execute(query, params or [])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
