"""Leases on due work, so parallel process managers do not both do one deadline.

A claim names the deadline (customer, kind, due instant), its owner and the wall-clock
time (epoch seconds) until which it holds. One statement takes it: an insert, or an
update of a claim that is the caller's own, has expired, or is for an older due time.

A deadline whose work cannot succeed by trying again soon is set aside: claimed by
nobody's name (``SET_ASIDE``) until a later time, so no worker takes it and nobody
waiting for the due work to be done waits for it.
"""

from __future__ import annotations

import time
from datetime import datetime
from uuid import UUID

from application.lists import DueWork
from domain.customer import Deadline, DeadlineKind
from projections.sql import Database

CREATE = (
    "CREATE TABLE IF NOT EXISTS work_claims ("
    "customer_id {uuid} NOT NULL, kind TEXT NOT NULL, due_at {instant} NOT NULL, "
    "owner TEXT NOT NULL, until DOUBLE PRECISION NOT NULL, "
    "PRIMARY KEY (customer_id, kind))"
)
CLAIM = (
    "INSERT INTO work_claims (customer_id, kind, due_at, owner, until) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (customer_id, kind) DO UPDATE SET "
    "due_at = excluded.due_at, owner = excluded.owner, until = excluded.until "
    "WHERE work_claims.owner = excluded.owner OR work_claims.until < ? "
    "OR work_claims.due_at <> excluded.due_at"
)


SET_ASIDE = "(set aside)"
PARK = (
    "INSERT INTO work_claims (customer_id, kind, due_at, owner, until) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (customer_id, kind) DO UPDATE SET "
    "due_at = excluded.due_at, owner = excluded.owner, until = excluded.until"
)
OUTSTANDING = (
    "SELECT d.customer_id FROM view_deadlines d "
    "LEFT JOIN work_claims c ON c.customer_id = d.customer_id AND c.kind = d.kind "
    "AND c.due_at = d.due_at AND c.owner = ? AND c.until >= ? "
    "WHERE d.due_at <= ? AND c.customer_id IS NULL LIMIT 1"
)
UNCLAIMED_DUE = (
    "SELECT d.customer_id, d.kind, d.due_at FROM view_deadlines d "
    "LEFT JOIN work_claims c ON c.customer_id = d.customer_id AND c.kind = d.kind "
    "AND c.due_at = d.due_at AND c.until >= ? "
    "WHERE d.due_at <= ? AND c.customer_id IS NULL "
    "ORDER BY d.due_at, d.customer_id, d.kind LIMIT ?"
)


NEXT_DUE = (
    "SELECT due_at FROM view_deadlines WHERE due_at > ? AND due_at <= ? ORDER BY due_at LIMIT 1"
)


class WorkClaims(DueWork):
    """The due work: the deadlines view, with the claims taken on it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_schema(self) -> None:
        with self.db.schema_transaction() as tx:
            tx.execute(CREATE)

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        """Due deadlines nobody holds a live claim on, oldest first: work just done
        stays claimed until the views drop it, so it never blocks the work behind it."""
        rows = self.db.rows(UNCLAIMED_DUE, [time.time(), now, limit])
        return [
            Deadline(
                UUID(str(r["customer_id"])), DeadlineKind(r["kind"]), self.db.instant(r["due_at"])
            )
            for r in rows
        ]

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        """An index range scan of the deadlines view."""
        rows = self.db.rows(NEXT_DUE, [after, until])
        return self.db.instant(rows[0]["due_at"]) if rows else None

    def outstanding(self, now: datetime) -> bool:
        """Whether a deadline is due that is not set aside (claimed or not)."""
        return bool(self.db.rows(OUTSTANDING, [SET_ASIDE, time.time(), now]))

    def set_aside(self, deadline: Deadline, until: float) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                PARK, [deadline.customer_id, deadline.kind.value, deadline.due_at, SET_ASIDE, until]
            )

    def claim(self, deadline: Deadline, owner: str, until: float) -> bool:
        with self.db.transaction() as tx:
            taken = tx.execute(
                CLAIM,
                [
                    deadline.customer_id,
                    deadline.kind.value,
                    deadline.due_at,
                    owner,
                    until,
                    time.time(),
                ],
            )
        return bool(taken == 1)
