"""The views' SQL surface (``projections.sql.Database``) on SQLite and PostgreSQL."""

from __future__ import annotations

from adapters.database_url import POSTGRES, scheme, sqlite_path
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
    if kind in POSTGRES:
        return PostgresDatabase(database_url)
    raise ValueError(f"no views for database URL scheme {kind!r}")


def check_read_database(database_url: str, read_database_url: str | None) -> None:
    """``ValueError`` unless a read database, when given, is PostgreSQL beside a
    PostgreSQL database (a streaming replica of it)."""
    if read_database_url is None:
        return
    if scheme(read_database_url) not in POSTGRES:
        raise ValueError(
            "TENANTRY_READ_DATABASE_URL must name a PostgreSQL replica, "
            f"not {scheme(read_database_url)!r}"
        )
    if scheme(database_url) not in POSTGRES:
        raise ValueError("TENANTRY_READ_DATABASE_URL needs a PostgreSQL TENANTRY_DATABASE_URL")


def open_read_database(read_database_url: str) -> Database:
    """The database the lists are read from: a PostgreSQL streaming replica of the
    views' (``TENANTRY_READ_DATABASE_URL``), read only."""
    check_read_database("postgresql:", read_database_url)
    return PostgresDatabase(read_database_url, read_only=True)
