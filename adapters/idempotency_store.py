"""Idempotency keys: the first answer to (principal, key), kept sealed for 24 hours.

A placeholder row is inserted before the request runs, so two requests with the same
key do not both execute; the answer replaces it once known. The answer's body (which
may carry an API key shown once) is sealed (adapters/sealing.py), and so is a secret a
command keeps before it commits (``keep_secret``). A placeholder left by a process that
died is taken over after ``stale_after`` seconds (60 by default; a setting), or at once
when the command's receipt (application/receipts.py) shows it was done. Rows expire
``RECEIPT_TTL`` after they were made (by the service's clock): an expired row is neither
replayed nor honoured, and ``purge`` deletes expired rows in bounded batches.
"""

from __future__ import annotations

import json
import time
from uuid import UUID

from adapters.sealing import Sealer
from application.clock import Clock
from application.idempotency import Answer, Claim
from application.receipts import RECEIPT_TTL
from projections.sql import Database, Row

STALE_AFTER = 60.0
PURGE_BATCH = 500
SEALING_PURPOSE = b"tenantry idempotency answers v1"


CREATE = (
    "CREATE TABLE IF NOT EXISTS idempotency_keys ("
    " principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,"
    " status INTEGER, body {bytes}, headers TEXT, sealed_secret {bytes},"
    " created_at DOUBLE PRECISION NOT NULL, expires_at DOUBLE PRECISION NOT NULL,"
    " PRIMARY KEY (principal, key))"
)
CREATE_INDEX = "CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at)"
COLUMNS_SQL = {
    "sqlite": "SELECT name FROM pragma_table_info('idempotency_keys')",
    "postgres": (
        "SELECT column_name AS name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = 'idempotency_keys'"
    ),
}
# Only a kept answer expires (24 h after it was kept, by the service's clock, which a
# test-clock advance moves); a row still in progress is taken over once stale instead.
EXPIRE_ONE = (
    "DELETE FROM idempotency_keys WHERE principal = ? AND key = ? AND expires_at <= ?"
    " AND status IS NOT NULL"
)
INSERT = (
    "INSERT INTO idempotency_keys (principal, key, request_hash, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
TAKE_OVER = (
    "UPDATE idempotency_keys SET created_at = ?, request_hash = ?"
    " WHERE principal = ? AND key = ? AND status IS NULL AND created_at < ?"
)
SELECT = (
    "SELECT request_hash, status, body, headers FROM idempotency_keys"
    " WHERE principal = ? AND key = ?"
)
# Only the request that holds the row keeps its answer there: one whose row was taken
# over (it ran past STALE_AFTER) does not overwrite the answer of the one that took it.
FINISH = (
    "UPDATE idempotency_keys SET status = ?, body = ?, headers = ?, sealed_secret = NULL,"
    " expires_at = ? WHERE principal = ? AND key = ? AND request_hash = ? AND status IS NULL"
)
# Released rows stay, stale at once: the next request takes over without waiting, and a
# secret kept by a command that did commit is still there for it.
RELEASE = (
    "UPDATE idempotency_keys SET created_at = 0 WHERE principal = ? AND key = ? AND status IS NULL"
)
KEEP_SEALED = (
    "UPDATE idempotency_keys SET sealed_secret = ?"
    " WHERE principal = ? AND key = ? AND status IS NULL"
)
SELECT_KEPT = (
    "SELECT principal, key, request_hash, body, headers FROM idempotency_keys"
    " WHERE status IS NOT NULL"
)
FORGET = "DELETE FROM idempotency_keys WHERE principal = ? AND key = ?"
SELECT_SEALED = "SELECT sealed_secret FROM idempotency_keys WHERE principal = ? AND key = ?"
PURGE = (
    "DELETE FROM idempotency_keys WHERE (principal, key) IN"
    " (SELECT principal, key FROM idempotency_keys WHERE expires_at <= ?"
    " AND (status IS NOT NULL OR created_at < ?) LIMIT ?)"
)


class IdempotencyKeys:
    """The keys in the events' database, through the views' SQL surface."""

    def __init__(
        self, db: Database, clock: Clock, secret: bytes, stale_after: float = STALE_AFTER
    ) -> None:
        self.db = db
        self.stale_after = stale_after
        self.clock = clock
        self.sealer = Sealer(secret, SEALING_PURPOSE)

    def create_schema(self) -> None:
        with self.db.schema_transaction() as tx:
            columns = {row["name"] for row in tx.rows(COLUMNS_SQL[self.db.dialect])}
            if columns and "expires_at" not in columns:
                # The first schema kept answers (API keys included) in clear, forever.
                tx.execute("DROP TABLE idempotency_keys")
            tx.execute(CREATE)
            tx.execute(CREATE_INDEX)

    def claim(self, principal: str, key: str, request_hash: str) -> tuple[Claim, Answer | None]:
        wall, now = time.time(), self.clock.now().timestamp()
        expires = now + RECEIPT_TTL.total_seconds()
        with self.db.transaction() as tx:
            tx.execute(EXPIRE_ONE, [principal, key, now])
            if tx.execute(INSERT, [principal, key, request_hash, wall, expires]) == 1:
                return Claim.STARTED, None
            stale = wall - self.stale_after
            if tx.execute(TAKE_OVER, [wall, request_hash, principal, key, stale]) == 1:
                return Claim.STARTED, None
            rows = tx.rows(SELECT, [principal, key])
        if not rows:  # purged between the statements: try again
            return self.claim(principal, key, request_hash)
        return self._held(rows[0], principal, key, request_hash)

    def _held(
        self, row: Row, principal: str, key: str, request_hash: str
    ) -> tuple[Claim, Answer | None]:
        """The claim on a row another request made."""
        if row["request_hash"] != request_hash:
            return Claim.REUSED, None
        if row["status"] is None:
            return Claim.IN_PROGRESS, None
        body = self.sealer.open(bytes(row["body"]), bound(principal, key, request_hash))
        if body is None:  # sealed under another secret: answer again (from the receipt)
            return Claim.STARTED, None
        pairs = [(str(k), str(v)) for k, v in json.loads(row["headers"])]
        return Claim.REPLAY, Answer(int(row["status"]), body, pairs)

    def finish(self, principal: str, key: str, request_hash: str, answer: Answer) -> None:
        """Keep ``answer`` for the request of ``request_hash``, if it still holds the row;
        it is replayed for 24 h from now (the service's clock: after an advance too)."""
        sealed = self.sealer.seal(answer.body, bound(principal, key, request_hash))
        headers = json.dumps(answer.headers)
        expires = self.clock.now().timestamp() + RECEIPT_TTL.total_seconds()
        with self.db.transaction() as tx:
            tx.execute(
                FINISH,
                [answer.status, sealed, headers, expires, principal, key, request_hash],
            )

    def release(self, principal: str, key: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(RELEASE, [principal, key])

    def keep_secret(self, principal: str, key: str, secret: str) -> None:
        sealed = self.sealer.seal(secret.encode(), bound(principal, key, "secret"))
        with self.db.transaction() as tx:
            tx.execute(KEEP_SEALED, [sealed, principal, key])

    def kept_secret(self, principal: str, key: str) -> str | None:
        rows = self.db.rows(SELECT_SEALED, [principal, key])
        if not rows or rows[0]["sealed_secret"] is None:
            return None
        plain = self.sealer.open(bytes(rows[0]["sealed_secret"]), bound(principal, key, "secret"))
        return None if plain is None else plain.decode()

    def purge(self, limit: int = PURGE_BATCH) -> int:
        """Delete at most ``limit`` expired rows; how many went."""
        with self.db.transaction() as tx:
            stale = time.time() - self.stale_after
            return tx.execute(PURGE, [self.clock.now().timestamp(), stale, limit])

    def mentioning(self, customer_id: UUID) -> int:
        """How many kept answers mention the customer (subject access)."""
        return len(self._mentioning(customer_id))

    def forget_mentioning(self, customer_id: UUID) -> int:
        """Delete the kept answers that mention the customer (after its erasure: a replay
        would show its personal data as it was); how many went. A later retry of one of
        those keys answers from its receipt, from the history as it reads now."""
        found = self._mentioning(customer_id)
        with self.db.transaction() as tx:
            for principal, key in found:
                tx.execute(FORGET, [principal, key])
        return len(found)

    def _mentioning(self, customer_id: UUID) -> list[tuple[str, str]]:
        """The (principal, key) of every kept answer whose body or headers name the
        customer: the rows are sealed, so each is opened (there are a day's worth)."""
        needle = str(customer_id)
        found = []
        for row in self.db.rows(SELECT_KEPT):
            principal, key = str(row["principal"]), str(row["key"])
            body = self.sealer.open(bytes(row["body"]), bound(principal, key, row["request_hash"]))
            if (body is not None and needle.encode() in body) or needle in str(row["headers"]):
                found.append((principal, key))
        return found

    def close(self) -> None:
        """The database belongs to the views; they close it."""


def bound(principal: str, key: str, purpose: str) -> bytes:
    """What a sealed value is bound to: its row, and what it is."""
    return f"{principal}\0{key}\0{purpose}".encode()
