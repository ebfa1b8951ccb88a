"""The views' database on SQLite: a small pool of sqlite3 connections (one shared
connection for ``:memory:``), writes in ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from adapters.sql.sqlite_writer import SQLITE_WRITE_WAIT_S, writing
from projections.sql import SQLITE_INSTANT, Database, Dialect, EncodedJson, Json, Row, Tx


class SQLiteDatabase(Database):
    dialect: Dialect = "sqlite"

    def __init__(self, path: str, busy_timeout_s: float = SQLITE_WRITE_WAIT_S) -> None:
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
        # What a row held before an update or a delete is overwritten, not left in the
        # file's free space: an erased customer's address is gone from its view rows.
        conn.execute("PRAGMA secure_delete = ON")
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
        with self._writing(), self._connection() as conn:
            cursor = conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self, cursor)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _writing(self) -> AbstractContextManager[None]:
        """The process's turn to write this file (the library's writers take it too)."""
        return nullcontext() if self.memory else writing(self.path, self.busy_timeout_s)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._connection() as conn:
            return Tx(self, conn.cursor()).rows(sql, params)

    def close(self) -> None:
        with self._lock:
            for conn in [*self._idle, *([self._shared] if self._shared else [])]:
                conn.close()
            self._idle = []


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
