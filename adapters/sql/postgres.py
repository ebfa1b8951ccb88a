"""The views' database on PostgreSQL: a psycopg pool, LISTEN/NOTIFY, COPY for bulk rows."""

from __future__ import annotations

import select
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql as pgsql
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from adapters.sql.copy import CopyLoader, copy_blocks, copy_statement, write_block
from projections.sql import Answer, Database, Dialect, EncodedJson, Json, Loader, Row, Tx

READ_ONLY = "-c default_transaction_read_only=on"
READER_NAME = "tenantry-reader"
# The advisory lock every schema creation takes, the event store's too (adapters/pg_recorder.py).
SCHEMA_LOCK = "tenantry schema"
READER_CONNECT_S = 2


def _as_is(text: Any) -> Any:
    return text


class PostgresDatabase(Database):
    dialect: Dialect = "postgres"
    unavailable = (psycopg.OperationalError, psycopg.InterfaceError)  # PoolTimeout too
    missing = (psycopg.errors.UndefinedTable,)

    def __init__(self, url: str, max_size: int = 20, *, read_only: bool = False) -> None:
        """``read_only``: every transaction is read-only (a replica's reader), and the
        connections say so in ``pg_stat_activity`` (``application_name``)."""
        self.url = url
        kwargs: dict[str, Any] = {"row_factory": dict_row}
        wait = 30.0  # the pool's own default, for a connection
        if read_only:  # a replica that cannot answer soon gives way to the primary
            kwargs |= {"options": READ_ONLY, "application_name": READER_NAME}
            kwargs |= {"connect_timeout": READER_CONNECT_S}
            wait = READER_CONNECT_S
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url, min_size=1, max_size=max_size, kwargs=kwargs, timeout=wait, open=True
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
    def schema_transaction(self) -> Iterator[Tx]:
        """``CREATE … IF NOT EXISTS`` is not safe against a concurrent create on
        PostgreSQL: processes starting together on a new database failed with
        ``pg_extension_name_index``. The transaction holds an advisory lock (the one
        the event store's schema creation takes) until it ends."""
        with self.transaction() as tx:
            tx.execute(f"SELECT pg_advisory_xact_lock(hashtext('{SCHEMA_LOCK}'))")
            yield tx

    @contextmanager
    def pipelined(self) -> Iterator[Tx]:
        # BEGIN and COMMIT are statements of the pipeline, in autocommit mode: psycopg's
        # transaction() in a pipeline syncs after BEGIN, after the block and after
        # COMMIT (a round trip each). Leaving the pipeline sends the one Sync and reads
        # every answer left: a refused statement (or COMMIT) raises there.
        with self.connection() as conn:
            conn.autocommit = True
            try:
                with conn.pipeline(), conn.cursor() as cursor:
                    cursor.execute("BEGIN")
                    yield Tx(self, cursor, pipelined=True)
                    cursor.execute("COMMIT")
            finally:
                _settle(conn)

    def query(self, tx: Tx, sql: str, params: Sequence[Any]) -> Answer:
        # A cursor of its own: a pipelined cursor keeps the answer of its last query only.
        cursor: psycopg.Cursor[Row] = tx.cursor.connection.cursor()
        cursor.execute(self.sql(sql), self.params(params))

        def rows() -> list[Row]:
            with cursor:
                return cursor.fetchall()

        return rows

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Row]]:
        with answering_connection(self.pool) as conn:
            yield conn

    def insert_rows(
        self, tx: Tx, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        if tx.pipelined:  # COPY cannot run in a pipeline; INSERTs queue there
            super().insert_rows(tx, table, columns, rows)
            return
        with tx.cursor.copy(copy_statement(table, columns)) as copy:
            for block in self.copy_blocks(rows):
                write_block(copy, block, self)

    def copy_blocks(self, rows: Sequence[Sequence[Any]]) -> Iterator[str | Sequence[Sequence[Any]]]:
        """``rows`` as COPY sends them: blocks of COPY text (``adapters/sql/copy.py``)."""
        return copy_blocks(rows)

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


def _settle(conn: psycopg.Connection[Any]) -> None:
    """A pipelined transaction's connection made plain again for the pool: its
    transaction rolled back if it failed (or its block raised), autocommit off; closed
    (so the pool drops it) when it cannot be."""
    if conn.closed:
        return
    try:
        if conn.info.transaction_status is not TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        conn.autocommit = False
    except psycopg.Error:
        conn.close()


@contextmanager
def answering_connection(pool: ConnectionPool[Any]) -> Iterator[Any]:
    """A pooled connection that answers.

    One the server dropped (a restart, a terminated backend) goes back to the pool,
    which discards it and opens another, and the next idle one is tried at once. A
    connection is checked with the pool's own ``ConnectionPool.check_connection`` (a
    round trip) only when it is not ``quiet``: the server has written to it while idle,
    as it does when it ends a backend. (The pool's ``check=`` sleeps
    1 s, 2 s, 4 s... after each dropped connection it finds, still so in the installed
    psycopg_pool 3.3.3: after a restart every idle connection is dropped, and requests
    waited for seconds.)
    """
    for _ in range(pool.max_size):
        conn = pool.getconn()
        try:
            if not quiet(conn):
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


def quiet(conn: psycopg.Connection[Any]) -> bool:
    """True when an idle connection has nothing waiting to be read: the server has not
    dropped it, so no round trip is spent checking. A server that ends a backend (a
    restart, ``pg_terminate_backend``, a crash) sends its notice and closes the socket,
    which makes it readable; then the pool's own check decides."""
    if conn.closed or conn.info.transaction_status is not TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
