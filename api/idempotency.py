"""Idempotency keys: the first answer to (principal, key), kept in the events' database.

A placeholder row is inserted before the request runs, so two requests with the same
key never both execute; the answer replaces it once known. A placeholder left by a
process that died is taken over after ``STALE_AFTER`` seconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from projections.database import Database

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
    " status INTEGER, body {bytes}, headers TEXT,"
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


class IdempotencyKeys:
    """The keys in the events' database, through the views' SQL surface."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.schema_transaction() as tx:
            tx.execute(CREATE)

    def claim(self, principal: str, key: str, request_hash: str) -> tuple[Claim, Answer | None]:
        now = time.time()
        with self.db.transaction() as tx:
            if tx.execute(INSERT, [principal, key, request_hash, now]) == 1:
                return Claim.STARTED, None
            stale = now - STALE_AFTER
            if tx.execute(TAKE_OVER, [now, request_hash, principal, key, stale]) == 1:
                return Claim.STARTED, None
            rows = tx.rows(SELECT, [principal, key])
        if not rows:  # released between the two statements: try again
            return self.claim(principal, key, request_hash)
        row = rows[0]
        if row["request_hash"] != request_hash:
            return Claim.REUSED, None
        if row["status"] is None:
            return Claim.IN_PROGRESS, None
        pairs = [(str(k), str(v)) for k, v in json.loads(row["headers"])]
        return Claim.REPLAY, Answer(int(row["status"]), bytes(row["body"]), pairs)

    def finish(self, principal: str, key: str, answer: Answer) -> None:
        headers = json.dumps(answer.headers)
        with self.db.transaction() as tx:
            tx.execute(FINISH, [answer.status, answer.body, headers, principal, key])

    def release(self, principal: str, key: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(RELEASE, [principal, key])

    def ping(self) -> None:
        self.db.rows("SELECT 1 AS one")

    def close(self) -> None:
        """The database belongs to the views; they close it."""
