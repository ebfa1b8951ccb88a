"""Idempotency keys: the first answer to (principal, key), kept in the events' database.

A placeholder row is inserted before the request runs, so two requests with the same
key never both execute; the answer replaces it once known. A placeholder left by a
process that died is taken over after ``STALE_AFTER`` seconds.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from psycopg_pool import ConnectionPool

from application.store import persistence_env
from projections.database import answering_connection

STALE_AFTER = 60.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]]


class Claim(Enum):
    STARTED = "started"
    IN_PROGRESS = "in-progress"
    REUSED = "reused"
    REPLAY = "replay"


class IdempotencyStore(Protocol):
    def claim(self, principal: str, key: str, request_hash: str) -> tuple[Claim, Answer | None]: ...
    def finish(self, principal: str, key: str, answer: Answer) -> None: ...
    def release(self, principal: str, key: str) -> None: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...


CREATE = (
    "CREATE TABLE IF NOT EXISTS idempotency_keys ("
    " principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,"
    " status INTEGER, body BLOB, headers TEXT,"
    " created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (principal, key))"
)
INSERT = (
    "INSERT INTO idempotency_keys (principal, key, request_hash, created_at)"
    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
TAKE_OVER = (
    "UPDATE idempotency_keys SET created_at = ?, request_hash = ?"
    " WHERE principal = ? AND key = ? AND status IS NULL AND created_at < ?"
)
SELECT = (
    "SELECT request_hash, status, body, headers FROM idempotency_keys"
    " WHERE principal = ? AND key = ?"
)
FINISH = (
    "UPDATE idempotency_keys SET status = ?, body = ?, headers = ? WHERE principal = ? AND key = ?"
)
RELEASE = "DELETE FROM idempotency_keys WHERE principal = ? AND key = ? AND status IS NULL"


class SqlStore(ABC):
    """The same statements for SQLite and PostgreSQL; only the connection differs."""

    def __init__(self, dialect: dict[str, str]) -> None:
        self.dialect = dialect

    @abstractmethod
    def cursor(self) -> AbstractContextManager[Any]:
        """A cursor whose statements commit on their own."""

    def sql(self, statement: str) -> str:
        for generic, specific in self.dialect.items():
            statement = statement.replace(generic, specific)
        return statement

    def create_table(self) -> None:
        with self.cursor() as cur:
            cur.execute(self.sql(CREATE))

    def claim(self, principal: str, key: str, request_hash: str) -> tuple[Claim, Answer | None]:
        now = time.time()
        with self.cursor() as cur:
            cur.execute(self.sql(INSERT), (principal, key, request_hash, now))
            if cur.rowcount == 1:
                return Claim.STARTED, None
            stale = now - STALE_AFTER
            cur.execute(self.sql(TAKE_OVER), (now, request_hash, principal, key, stale))
            if cur.rowcount == 1:
                return Claim.STARTED, None
            cur.execute(self.sql(SELECT), (principal, key))
            row = cur.fetchone()
        if row is None:  # released between the two statements: try again
            return self.claim(principal, key, request_hash)
        stored_hash, status, body, headers = row
        if stored_hash != request_hash:
            return Claim.REUSED, None
        if status is None:
            return Claim.IN_PROGRESS, None
        pairs = [(str(k), str(v)) for k, v in json.loads(headers)]
        return Claim.REPLAY, Answer(int(status), bytes(body), pairs)

    def finish(self, principal: str, key: str, answer: Answer) -> None:
        headers = json.dumps(answer.headers)
        with self.cursor() as cur:
            cur.execute(self.sql(FINISH), (answer.status, answer.body, headers, principal, key))

    def release(self, principal: str, key: str) -> None:
        with self.cursor() as cur:
            cur.execute(self.sql(RELEASE), (principal, key))

    def ping(self) -> None:
        with self.cursor() as cur:
            cur.execute("SELECT 1")


class SqliteStore(SqlStore):
    def __init__(self, path: str) -> None:
        super().__init__({})
        self.path = path
        self.shared = sqlite3.connect(path, check_same_thread=False) if path == ":memory:" else None
        self.lock = threading.Lock()
        self.create_table()

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        if self.shared is not None:
            with self.lock, self.shared:
                yield self.shared.cursor()
            return
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield conn.cursor()
        finally:
            conn.close()

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()


class PostgresStore(SqlStore):
    def __init__(self, url: str) -> None:
        super().__init__({"?": "%s", "BLOB": "BYTEA"})
        self.pool: ConnectionPool[Any] = ConnectionPool(
            url,
            min_size=1,
            max_size=4,
            open=True,
            kwargs={"autocommit": True},
        )
        self.create_table()

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        with answering_connection(self.pool) as conn, conn.cursor() as cur:
            yield cur

    def close(self) -> None:
        self.pool.close()


def open_idempotency_store(database_url: str) -> IdempotencyStore:
    env = persistence_env(database_url)
    module = env["PERSISTENCE_MODULE"]
    if module == "eventsourcing.postgres":
        return PostgresStore(database_url)
    if module == "eventsourcing.sqlite":
        return SqliteStore(env["SQLITE_DBNAME"])
    return SqliteStore(":memory:")
