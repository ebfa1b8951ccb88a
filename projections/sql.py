"""What the views need of a SQL database: one small surface, written once for SQLite
and PostgreSQL (``adapters/sql`` implements it on sqlite3 and psycopg).

SQL is written once with ``?`` placeholders and ``{uuid}``/``{instant}``/``{date}``/
``{json}``/``{bool}`` column types; values go through ``Json`` for JSON columns.
SQLite stores instants as fixed-width UTC text (``2026-01-05T09:00:00.000000Z``), so
they sort as text; PostgreSQL uses ``uuid``, ``timestamptz``, ``date`` and ``jsonb``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgres"]
Row = dict[str, Any]
Answer = Callable[[], list[Row]]  # the rows of a query already sent (``Tx.query``)
TYPES: dict[Dialect, dict[str, str]] = {
    "sqlite": {
        "uuid": "TEXT",
        "instant": "TEXT",
        "date": "TEXT",
        "json": "TEXT",
        "bool": "INTEGER",
        "bytes": "BLOB",
    },
    "postgres": {
        "uuid": "uuid",
        "instant": "timestamptz",
        "date": "date",
        "json": "jsonb",
        "bool": "boolean",
        "bytes": "bytea",
    },
}
SQLITE_INSTANT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Json:
    """Marks a value for a JSON column."""

    def __init__(self, value: Any) -> None:
        self.value = value


class EncodedJson:
    """Marks JSON text already encoded (e.g. by pydantic) for a JSON column."""

    def __init__(self, text: str) -> None:
        self.text = text


class Tx:
    """A cursor inside one transaction; SQL uses ``?`` placeholders. ``pipelined``: the
    transaction's statements do not wait for their answers (``Database.pipelined``)."""

    def __init__(self, db: Database, cursor: Any, *, pipelined: bool = False) -> None:
        self.db = db
        self.cursor = cursor
        self.pipelined = pipelined

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.cursor.execute(self.db.sql(sql), self.db.params(params))
        return int(self.cursor.rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self.db.sql(sql), [self.db.params(r) for r in rows])

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Bulk inserts: COPY on PostgreSQL, batched INSERTs on SQLite."""
        if rows:
            self.db.insert_rows(self, table, columns, rows)

    def rows(
        self, sql: str, params: Sequence[Any] = (), *, planned_each_time: bool = False
    ) -> list[Row]:
        """``planned_each_time``: never a prepared statement's generic plan (PostgreSQL
        prepares a statement run often; a plan made for the table as it was then, or
        for unknown values, can be slower by orders of magnitude for a query whose best
        plan depends on how many rows match)."""
        if planned_each_time and self.db.dialect == "postgres":
            self.cursor.execute(self.db.sql(sql), self.db.params(params), prepare=False)
        else:
            self.cursor.execute(self.db.sql(sql), self.db.params(params))
        if self.db.dialect == "postgres":
            return list(self.cursor.fetchall())
        names = [d[0] for d in self.cursor.description]
        return [dict(zip(names, r, strict=True)) for r in self.cursor.fetchall()]

    def query(self, sql: str, params: Sequence[Any] = ()) -> Answer:
        """Send a query now, read its rows later (by calling the answer): in a pipelined
        transaction, the queries sent before the first read come back in one round trip."""
        return self.db.query(self, sql, params)


class Loader:
    """Fills fresh tables, a transaction at a time (``Database.loading``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def transaction(self) -> AbstractContextManager[Tx]:
        return self.db.transaction()


class Database:
    dialect: Dialect
    # What the driver raises when the database cannot answer (down, unreachable).
    unavailable: tuple[type[Exception], ...] = ()
    # What it raises for a table the database does not have (yet): a new replica that
    # has not received the views' schema.
    missing: tuple[type[Exception], ...] = ()

    def sql(self, text: str) -> str:
        return text.format(**TYPES[self.dialect]) if "{" in text else text

    def params(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(values)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction (SQLite: ``BEGIN IMMEDIATE``, i.e. the write lock)."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextmanager
    def pipelined(self) -> Iterator[Tx]:
        """A write transaction whose statements are sent without waiting for each one's
        answer (PostgreSQL's pipeline mode; elsewhere ``transaction()``): the rows of a
        ``Tx.query`` arrive when first read, the other statements' answers at commit. A
        failed statement may raise on a later read or at commit, and the whole
        transaction rolls back either way; ``Tx.execute`` cannot count rows (-1)."""
        with self.transaction() as tx:
            yield tx

    def query(self, tx: Tx, sql: str, params: Sequence[Any]) -> Answer:
        """``Tx.query``'s work: here the query runs now, its rows kept for the reader."""
        rows = tx.rows(sql, params)
        return lambda: rows

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.transaction() as tx:
            return tx.rows(sql, params)

    @contextmanager
    def schema_transaction(self) -> Iterator[Tx]:
        """A transaction that creates tables (or extensions), one process at a time
        (SQLite's write lock serializes these transactions already; PostgreSQL's
        database takes a lock for it: adapters/sql/postgres.py)."""
        with self.transaction() as tx:
            yield tx

    @contextmanager
    def loading(self) -> Iterator[Loader]:
        """A loader for fresh tables: its transactions' ``Tx`` only insert rows."""
        yield Loader(self)

    def loads(self, value: Any) -> Any:
        """A JSON column's value as Python data."""
        return json.loads(value) if isinstance(value, str | bytes) else value

    def instant(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.strptime(value, SQLITE_INSTANT).replace(tzinfo=UTC)

    def insert_rows(
        self, tx: Tx, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """``Tx.insert_many``'s work: batched INSERTs (PostgreSQL's adapter uses COPY)."""
        marks = ", ".join("?" for _ in columns)
        tx.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def listen(self, channel: str) -> Listener | None:
        """A connection told of each ``notify`` on ``channel``; None where the database
        cannot tell (the follower then polls)."""
        return None

    def notify(self, channel: str) -> None:
        """Wake whoever listens on ``channel`` (nothing where none can listen)."""

    def close(self) -> None:
        """Release connections."""


class Listener(Protocol):
    """A connection that hears notifications (psycopg's ``Connection.notifies``)."""

    def notifies(
        self, *, timeout: float | None = ..., stop_after: int | None = ...
    ) -> Iterator[Any]: ...

    def close(self) -> None: ...
