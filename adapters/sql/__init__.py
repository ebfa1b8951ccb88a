"""The views' SQL surface (``projections.sql.Database``) on SQLite and PostgreSQL."""

from __future__ import annotations

from adapters.database_url import scheme, sqlite_path
from adapters.sql.postgres import PostgresDatabase
from adapters.sql.sqlite import SQLiteDatabase
from projections.sql import Database


def create_tables(db: Database, *statements: str) -> None:
    """Run ``CREATE … IF NOT EXISTS`` statements, one process at a time."""
    with db.schema_transaction() as tx:
        for statement in statements:
            tx.execute(statement)


def open_database(database_url: str) -> Database:
    """The views' database: the events' own (an in-memory SQLite one for ``memory://``)."""
    kind = scheme(database_url)
    if kind == "memory":
        return SQLiteDatabase(":memory:")
    path = sqlite_path(database_url)
    if path is not None:
        return SQLiteDatabase(path)
    if kind in ("postgres", "postgresql"):
        return PostgresDatabase(database_url)
    raise ValueError(f"no views for database URL scheme {kind!r}")
