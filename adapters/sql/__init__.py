"""The views' SQL surface (``projections.sql.Database``) on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import unquote

from adapters.sql.postgres import PostgresDatabase
from adapters.sql.sqlite import SQLiteDatabase
from projections.sql import Database


def open_database(database_url: str) -> Database:
    """The views' database: the events' own (an in-memory SQLite one for ``memory://``)."""
    scheme = database_url.split(":", 1)[0]
    if scheme == "memory":
        return SQLiteDatabase(":memory:")
    if scheme == "sqlite":
        path = unquote(database_url.removeprefix("sqlite://").removeprefix("/"))
        return SQLiteDatabase(path)
    if scheme in ("postgres", "postgresql"):
        return PostgresDatabase(database_url)
    raise ValueError(f"no views for database URL scheme {scheme!r}")
