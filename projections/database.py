"""One small SQL surface over sqlite3 and psycopg.

SQL is written once with ``?`` placeholders and ``{uuid}``/``{instant}``/``{date}``/
``{json}``/``{bool}`` column types; values go through ``Json`` for JSON columns.
SQLite stores instants as fixed-width UTC text (``2026-01-05T09:00:00.000000Z``), so
they sort as text; PostgreSQL uses ``uuid``, ``timestamptz``, ``date`` and ``jsonb``.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from typing import Any, Literal, cast
from urllib.parse import unquote
from uuid import UUID

import psycopg
from psycopg import sql as pgsql
from psycopg.copy import Copy
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from pydantic_core import to_json

Dialect = Literal["sqlite", "postgres"]
Row = dict[str, Any]
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
COPY_BLOCK = 1_000  # rows encoded at a time for COPY
# The advisory lock every schema creation takes (application/pg_recorder.py too).
SCHEMA_LOCK = "tenantry schema"


class Json:
    """Marks a value for a JSON column."""

    def __init__(self, value: Any) -> None:
        self.value = value


class EncodedJson:
    """Marks JSON text already encoded (e.g. by pydantic) for a JSON column."""

    def __init__(self, text: str) -> None:
        self.text = text


def _as_is(text: Any) -> Any:
    return text


class Tx:
    """A cursor inside one transaction; SQL uses ``?`` placeholders."""

    def __init__(self, db: Database, cursor: Any) -> None:
        self.db = db
        self.cursor = cursor

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
        if not rows:
            return
        if self.db.dialect == "postgres":
            with self.cursor.copy(copy_statement(table, columns)) as copy:
                for block in copy_blocks(rows):
                    write_block(copy, block, self.db)
            return
        marks = ", ".join("?" for _ in columns)
        self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.cursor.execute(self.db.sql(sql), self.db.params(params))
        if self.db.dialect == "postgres":
            return list(self.cursor.fetchall())
        names = [d[0] for d in self.cursor.description]
        return [dict(zip(names, r, strict=True)) for r in self.cursor.fetchall()]


class Loader:
    """Fills fresh tables, a transaction at a time (``Database.loading``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def transaction(self) -> AbstractContextManager[Tx]:
        return self.db.transaction()


class Database:
    dialect: Dialect

    def sql(self, text: str) -> str:
        return text.format(**TYPES[self.dialect]) if "{" in text else text

    def params(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(values)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction (SQLite: ``BEGIN IMMEDIATE``, i.e. the write lock)."""
        raise NotImplementedError
        yield  # pragma: no cover

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.transaction() as tx:
            return tx.rows(sql, params)

    @contextmanager
    def schema_transaction(self) -> Iterator[Tx]:
        """A transaction that creates tables (or extensions), one process at a time.

        ``CREATE … IF NOT EXISTS`` is not safe against a concurrent create on
        PostgreSQL: processes starting together on a new database failed with
        ``pg_extension_name_index``. The transaction holds an advisory lock (the one
        the event store's schema creation takes) until it ends. SQLite's write lock
        serializes these transactions already."""
        with self.transaction() as tx:
            if self.dialect == "postgres":
                tx.execute(f"SELECT pg_advisory_xact_lock(hashtext('{SCHEMA_LOCK}'))")
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

    def close(self) -> None:
        """Release connections."""


class SQLiteDatabase(Database):
    dialect: Dialect = "sqlite"

    def __init__(self, path: str, busy_timeout_s: float = 60.0) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.memory = path == ":memory:"
        self._lock = threading.Lock()  # guards the idle list, or the one :memory: connection
        self._idle: list[sqlite3.Connection] = []
        self._shared = self._connect() if self.memory else None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        return conn

    def params(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(_sqlite_value(v) for v in values)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        conn = conn or self._connect()
        try:
            yield conn
        finally:
            with self._lock:
                self._idle.append(conn)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._connection() as conn:
            cursor = conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self, cursor)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._connection() as conn:
            return Tx(self, conn.cursor()).rows(sql, params)

    def close(self) -> None:
        with self._lock:
            for conn in [*self._idle, *([self._shared] if self._shared else [])]:
                conn.close()
            self._idle = []


class PostgresDatabase(Database):
    dialect: Dialect = "postgres"

    def __init__(self, url: str, max_size: int = 20) -> None:
        self.url = url
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"row_factory": dict_row},
            open=True,
        )

    def sql(self, text: str) -> str:
        return super().sql(text).replace("?", "%s")

    def params(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple([_postgres_value(v) if type(v) in _MARKERS else v for v in values])

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            yield Tx(self, cursor)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Row]]:
        with answering_connection(self.pool) as conn:
            yield conn

    @contextmanager
    def loading(self) -> Iterator[Loader]:
        loader = CopyLoader(self)
        try:
            yield loader
        except BaseException:
            loader.finish(abort=True)
            raise
        loader.finish()

    def listen(self, channel: str) -> psycopg.Connection[tuple[Any, ...]]:
        conn = psycopg.connect(self.url, autocommit=True)
        conn.execute(pgsql.SQL("LISTEN {}").format(pgsql.Identifier(channel)))
        return conn

    def notify(self, channel: str) -> None:
        with self.connection() as conn:
            conn.execute(pgsql.SQL("NOTIFY {}").format(pgsql.Identifier(channel)))

    def close(self) -> None:
        self.pool.close()


_MARKERS = frozenset({Json, EncodedJson})


def _postgres_value(value: Any) -> Any:
    if isinstance(value, Json):
        return Jsonb(value.value)
    if isinstance(value, EncodedJson):
        return Jsonb(value.text, dumps=_as_is)
    return value


@contextmanager
def answering_connection(pool: ConnectionPool[Any]) -> Iterator[Any]:
    """A pooled connection that answers.

    One the server dropped (a restart, a terminated backend) goes back to the pool,
    which discards it and opens another, and the next idle one is tried at once. (The
    pool's own ``check=`` backs off 1 s, 2 s, 4 s... per dropped connection: after a
    restart every idle connection is dropped, and requests waited for seconds.)
    """
    for _ in range(pool.max_size):
        conn = pool.getconn()
        try:
            ConnectionPool.check_connection(conn)
        except psycopg.Error:
            pool.putconn(conn)
            continue
        try:
            yield conn
        finally:
            pool.putconn(conn)
        return
    with pool.connection() as conn:  # every idle one was dropped: a new one
        yield conn


_COMMIT = object()  # the CopyLoader's queue: commit the transaction
_END = object()  # the end of one COPY's blocks
_STOP = object()  # the end of the loading
QUEUED_BLOCKS = 8


class CopyLoader(Loader):
    """Fills fresh tables with COPY from a thread on a connection of its own.

    The caller's thread builds and encodes the rows, a block at a time; the thread
    only waits for the socket, while PostgreSQL parses the block it was sent. On two
    cores the encoding and PostgreSQL's parsing then overlap instead of alternating.
    """

    def __init__(self, db: PostgresDatabase) -> None:
        super().__init__(db)
        self.queue: queue.Queue[object] = queue.Queue(maxsize=QUEUED_BLOCKS)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-loader", daemon=True)
        self.thread.start()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        yield _LoaderTx(self)
        self.put(_COMMIT)

    def put(self, item: object) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def finish(self, *, abort: bool = False) -> None:
        self.queue.put(_STOP)
        self.thread.join()
        if self.error is not None and not abort:
            raise self.error

    def _run(self) -> None:
        stopped = False
        try:
            with cast(PostgresDatabase, self.db).connection() as conn, conn.cursor() as cursor:
                while (item := self.queue.get()) is not _STOP:
                    if item is _COMMIT:
                        conn.commit()
                        continue
                    with cursor.copy(cast(str, item)) as copy:
                        while (block := self.queue.get()) is not _END:
                            if block is _STOP:
                                stopped = True
                                raise RuntimeError("loading stopped during a COPY")
                            write_block(copy, cast(str | Sequence[Sequence[Any]], block), self.db)
                stopped = True
                conn.commit()
        except BaseException as exc:  # the caller's thread raises it
            self.error = exc
            while not stopped:  # take what the caller puts until it stops
                stopped = self.queue.get() is _STOP


class _LoaderTx(Tx):
    """A ``Tx`` whose ``insert_many`` hands encoded blocks to a CopyLoader."""

    def __init__(self, loader: CopyLoader) -> None:
        super().__init__(loader.db, None)
        self.loader = loader

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        if not rows:
            return
        self.loader.put(copy_statement(table, columns))
        for block in copy_blocks(rows):
            self.loader.put(block)
        self.loader.put(_END)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        raise TypeError("a loader's transaction only inserts rows (insert_many)")

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise TypeError("a loader's transaction only inserts rows (insert_many)")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        raise TypeError("a loader's transaction only inserts rows (insert_many)")


def copy_statement(table: str, columns: Sequence[str]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


def copy_blocks(rows: Sequence[Sequence[Any]]) -> Iterator[str | Sequence[Sequence[Any]]]:
    """``rows`` in blocks of COPY text; a block with a value ``copy_text`` does not know
    stays rows, for psycopg to adapt."""
    for start in range(0, len(rows), COPY_BLOCK):
        block = rows[start : start + COPY_BLOCK]
        text = copy_text(block)
        yield block if text is None else text


def write_block(copy: Copy, block: str | Sequence[Sequence[Any]], db: Database) -> None:
    if isinstance(block, str):
        copy.write(block)
    else:
        for row in block:
            copy.write_row(db.params(row))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(text: str) -> str:
    """``text`` as a field of COPY's text format: backslash, tab, newline and carriage
    return escaped (every other character stands for itself)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _copy_bool(value: bool) -> str:
    return "t" if value else "f"


def _copy_null(_: None) -> str:
    return "\\N"


def _copy_isoformat(value: date) -> str:
    return value.isoformat()


def _copy_json(value: Json) -> str:
    # pydantic-core's encoder: six times json.dumps's speed. The text differs only in
    # spacing and in not escaping non-ASCII, which jsonb does not keep; NaN stays NaN,
    # which PostgreSQL refuses either way.
    return copy_escape(to_json(value.value, inf_nan_mode="constants").decode())


def _copy_encoded_json(value: EncodedJson) -> str:
    return copy_escape(value.text)


_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    str: copy_escape,
    int: str,
    bool: _copy_bool,
    type(None): _copy_null,
    UUID: str,
    datetime: _copy_isoformat,
    date: _copy_isoformat,
    Json: _copy_json,
    EncodedJson: _copy_encoded_json,
}


class _Isoformats(dict[datetime, str]):
    def __missing__(self, key: datetime) -> str:
        text = self[key] = key.isoformat()
        return text


def copy_text(rows: Sequence[Sequence[Any]]) -> str | None:
    """``rows`` in COPY's text format; None when a value is of a type not known here.

    Each value means what psycopg would send: text as is, instants and dates in ISO
    8601 (with their UTC offset), the same JSON."""
    # A row's instants are often one and the same (created, modified, link issued):
    # each is formatted once (a hit costs a tenth of isoformat on an aware datetime).
    encode = {**_COPY_TEXT, datetime: _Isoformats().__getitem__}
    try:
        lines = ["\t".join([encode[type(v)](v) for v in row]) for row in rows]
    except KeyError:
        return None
    lines.append("")
    return "\n".join(lines)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Json):
        return json.dumps(value.value, separators=(",", ":"))
    if isinstance(value, EncodedJson):
        return value.text
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(SQLITE_INSTANT)
    if isinstance(value, date):
        return value.isoformat()
    return value


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
