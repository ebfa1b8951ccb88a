"""Leases on due work, so parallel process managers do not both do one deadline.

A claim names the deadline (customer, kind, due instant), its owner and the wall-clock
time (epoch seconds) until which it holds. One statement takes it: an insert, or an
update of a claim that is the caller's own, has expired, or is for an older due time.
One statement takes a whole batch the same way (``claim_many``: many rows, the taken
ones returned), its rows in key order so two workers' batches never deadlock.

A deadline whose work cannot succeed by trying again soon is set aside: claimed by
nobody's name (``SET_ASIDE``) until a later time, so no worker takes it and nobody
waiting for the due work to be done waits for it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
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
    "INSERT INTO work_claims (customer_id, kind, due_at, owner, until) VALUES {rows} "
    "ON CONFLICT (customer_id, kind) DO UPDATE SET "
    "due_at = excluded.due_at, owner = excluded.owner, until = excluded.until "
    "WHERE work_claims.owner = excluded.owner OR work_claims.until < ? "
    "OR work_claims.due_at <> excluded.due_at "
    "RETURNING customer_id, kind"
)
CLAIMS_PER_STATEMENT = 1000  # 5 parameters a row: far under SQLite's and PostgreSQL's limits


SET_ASIDE = "(set aside)"
PARK = (
    "INSERT INTO work_claims (customer_id, kind, due_at, owner, until) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (customer_id, kind) DO UPDATE SET "
    "due_at = excluded.due_at, owner = excluded.owner, until = excluded.until"
)
# The claims are looked up row by row (a scalar subquery on the claims' key, never
# turned into a join): as a join, PostgreSQL merged on due_at while its statistics of
# a fresh claims table were stale, and with 10k deadlines due at one instant (a mass
# trial end) each read compared every deadline with every claim (2 s, not 16 ms).
OUTSTANDING = (
    "SELECT d.customer_id FROM view_deadlines d WHERE d.due_at <= ? AND ("
    "SELECT count(*) FROM work_claims c WHERE c.customer_id = d.customer_id "
    "AND c.kind = d.kind AND c.due_at = d.due_at AND c.owner = ? AND c.until >= ?) = 0 "
    "LIMIT 1"
)
UNCLAIMED_DUE = (
    "SELECT d.customer_id, d.kind, d.due_at FROM view_deadlines d WHERE d.due_at <= ? "
    "AND COALESCE((SELECT c.until FROM work_claims c WHERE c.customer_id = d.customer_id "
    "AND c.kind = d.kind AND c.due_at = d.due_at), 0) < ? "
    "ORDER BY d.due_at LIMIT ?"
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
        rows = self.db.rows(UNCLAIMED_DUE, [now, time.time(), limit])
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
        return bool(self.db.rows(OUTSTANDING, [now, SET_ASIDE, time.time()]))

    def set_aside(self, deadline: Deadline, until: float) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                PARK, [deadline.customer_id, deadline.kind.value, deadline.due_at, SET_ASIDE, until]
            )

    def claim(self, deadline: Deadline, owner: str, until: float) -> bool:
        return bool(self.claim_many([deadline], owner, until))

    def claim_many(self, deadlines: Sequence[Deadline], owner: str, until: float) -> list[Deadline]:
        """One statement for up to ``CLAIMS_PER_STATEMENT`` deadlines (of distinct
        customer and kind): those taken, in the order given."""
        ordered = sorted(deadlines, key=lambda d: (str(d.customer_id), d.kind.value))
        taken: set[tuple[str, str]] = set()
        for start in range(0, len(ordered), CLAIMS_PER_STATEMENT):
            chunk = ordered[start : start + CLAIMS_PER_STATEMENT]
            rows = ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk))
            params: list[object] = []
            for d in chunk:
                params += [d.customer_id, d.kind.value, d.due_at, owner, until]
            with self.db.transaction() as tx:
                found = tx.rows(CLAIM.replace("{rows}", rows), [*params, time.time()])
            taken.update((str(r["customer_id"]), str(r["kind"])) for r in found)
        return [d for d in deadlines if (str(d.customer_id), d.kind.value) in taken]
