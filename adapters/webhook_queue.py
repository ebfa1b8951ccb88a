"""The deliveries the webhooks projection enqueued, leased to senders like due work.

A lease names its owner and the wall-clock time (epoch seconds) until which it
holds; one UPDATE takes a batch of due deliveries for several endpoints. The attempts
of a batch are kept with their deliveries' new status, and the leases released, in one
transaction, together with how long the endpoint has been failing.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from application.webhook_ports import CANCELLED, PENDING, Attempt, Delivery, Outcome
from projections.projection import in_list
from projections.sql import Database, Row

# The tables are projections/webhook_tables.py's (DELIVERIES, ATTEMPTS, HEALTH).
# A lease takes, in one statement, the first due deliveries (up to ``per_endpoint``) of
# each endpoint that has no attempt under way (a lease that holds), the endpoints that
# have waited longest first: a backlog at one endpoint never hides the others'
# deliveries from the senders. The outer conditions are checked again on each row, so
# two leasers never both take one delivery.
LEASE = (
    "UPDATE webhook_deliveries SET leased_by = ?, leased_until = ? WHERE id IN ("
    " SELECT id FROM ("
    "  SELECT d.id, ROW_NUMBER() OVER ("
    "   PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.position) AS n"
    "  FROM webhook_deliveries d JOIN ("
    "   SELECT endpoint_id, MIN(next_attempt_at) AS first_due FROM webhook_deliveries"
    "   WHERE status = ? AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until < ?)"
    "   AND endpoint_id NOT IN ("
    "    SELECT endpoint_id FROM webhook_deliveries WHERE status = ? AND leased_until >= ?)"
    "   {skip}GROUP BY endpoint_id ORDER BY first_due LIMIT ?) f"
    "  ON d.endpoint_id = f.endpoint_id"
    "  WHERE d.status = ? AND d.next_attempt_at <= ?"
    "  AND (d.leased_until IS NULL OR d.leased_until < ?)) ranked"
    " WHERE n <= ?)"
    " AND status = ? AND (leased_until IS NULL OR leased_until < ?)"
    " RETURNING *"
)
# The next due deliveries of one endpoint, for the sender that has its lease now.
LEASE_MORE = (
    "UPDATE webhook_deliveries SET leased_by = ?, leased_until = ? WHERE id IN ("
    " SELECT id FROM webhook_deliveries WHERE endpoint_id = ? AND status = ?"
    " AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until < ?)"
    " ORDER BY next_attempt_at, position LIMIT ?)"
    " AND status = ? AND (leased_until IS NULL OR leased_until < ?)"
    " RETURNING *"
)
RENEW = (
    "UPDATE webhook_deliveries SET leased_until = ? WHERE id IN {ids} AND leased_by = ? "
    "AND status = ?"
)
CANCEL = (
    "UPDATE webhook_deliveries SET status = ?, leased_by = NULL, leased_until = NULL "
    "WHERE id IN {ids}"
)
RELEASE = (
    "UPDATE webhook_deliveries SET leased_by = NULL, leased_until = NULL "
    "WHERE id IN {ids} AND leased_by = ? AND status = ?"
)
KEEP = (
    "INSERT INTO webhook_attempts "
    "(delivery_id, number, at, status_code, duration_ms, excerpt, error) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, number) DO NOTHING"
)
ADVANCE = (
    "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, "
    "last_status_code = ?, leased_by = NULL, leased_until = NULL WHERE id = ?"
)
SUCCEEDED = (
    "INSERT INTO webhook_endpoint_health (endpoint_id, failing_since) VALUES (?, NULL) "
    "ON CONFLICT (endpoint_id) DO UPDATE SET failing_since = NULL"
)
FAILED_NOW = (
    "INSERT INTO webhook_endpoint_health (endpoint_id, failing_since) VALUES (?, ?) "
    "ON CONFLICT (endpoint_id) DO UPDATE SET failing_since = "
    "COALESCE(webhook_endpoint_health.failing_since, excluded.failing_since)"
)
FAILING_SINCE = "SELECT failing_since FROM webhook_endpoint_health WHERE endpoint_id = ?"


class SqlDeliveryQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def lease(  # noqa: PLR0913
        self,
        now: datetime,
        *,
        endpoints: int,
        per_endpoint: int,
        skip: Collection[UUID],
        owner: str,
        until: float,
    ) -> list[Delivery]:
        wall = time.time()
        skipped = sorted(skip)
        where = f"AND endpoint_id NOT IN {in_list(skipped)} " if skipped else ""
        params: list[Any] = [owner, until, PENDING, now, wall, PENDING, wall, *skipped]
        params += [endpoints, PENDING, now, wall, per_endpoint, PENDING, wall]
        with self.db.transaction() as tx:
            rows = tx.rows(LEASE.replace("{skip}", where), params, planned_each_time=True)
        taken = [self._delivery(r) for r in rows]
        return sorted(taken, key=lambda d: (d.next_attempt_at or now, d.position, d.id))

    def lease_more(
        self, endpoint_id: UUID, now: datetime, *, limit: int, owner: str, until: float
    ) -> list[Delivery]:
        wall = time.time()
        params = [owner, until, endpoint_id, PENDING, now, wall, limit, PENDING, wall]
        with self.db.transaction() as tx:
            rows = tx.rows(LEASE_MORE, params)
        taken = [self._delivery(r) for r in rows]
        return sorted(taken, key=lambda d: (d.next_attempt_at or now, d.position, d.id))

    def renew(self, delivery_ids: Sequence[str], owner: str, until: float) -> None:
        if delivery_ids:
            with self.db.transaction() as tx:
                sql = RENEW.replace("{ids}", in_list(delivery_ids))
                tx.execute(sql, [until, *delivery_ids, owner, PENDING])

    def release(self, delivery_ids: Sequence[str], owner: str) -> None:
        if delivery_ids:
            with self.db.transaction() as tx:
                sql = RELEASE.replace("{ids}", in_list(delivery_ids))
                tx.execute(sql, [*delivery_ids, owner, PENDING])

    def record(self, endpoint_id: UUID, outcomes: Sequence[Outcome]) -> datetime | None:
        if not outcomes:
            return None
        with self.db.transaction() as tx:
            tx.executemany(
                KEEP,
                [
                    (
                        a.delivery_id,
                        a.number,
                        a.at,
                        a.status_code,
                        a.duration_ms,
                        a.excerpt,
                        a.error,
                    )
                    for a, _, _ in outcomes
                ],
            )
            tx.executemany(
                ADVANCE,
                [(s, a.number, later, a.status_code, a.delivery_id) for a, s, later in outcomes],
            )
            # The endpoint's health as if each attempt were kept in turn: a success
            # clears it, a failure sets it unless it is set already.
            oks = [_ok(a) for a, _, _ in outcomes]
            if any(oks):
                tx.execute(SUCCEEDED, [endpoint_id])
            last_ok = max((i for i, ok in enumerate(oks) if ok), default=-1)
            failures = [a for a, _, _ in outcomes[last_ok + 1 :]]
            if failures:
                tx.execute(FAILED_NOW, [endpoint_id, failures[0].at])
            since = tx.rows(FAILING_SINCE, [endpoint_id])
        value = since[0]["failing_since"] if since else None
        return None if value is None else self.db.instant(value)

    def cancel(self, delivery_ids: Sequence[str]) -> None:
        if not delivery_ids:
            return
        with self.db.transaction() as tx:
            sql = CANCEL.replace("{ids}", in_list(delivery_ids))
            tx.execute(sql, [CANCELLED, *delivery_ids])

    def get(self, delivery_id: str) -> Delivery | None:
        rows = self.db.rows("SELECT * FROM webhook_deliveries WHERE id = ?", [delivery_id])
        return self._delivery(rows[0]) if rows else None

    def of_endpoint(self, endpoint_id: UUID, limit: int) -> list[Delivery]:
        rows = self.db.rows(
            "SELECT * FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY position DESC LIMIT ?",
            [endpoint_id, limit],
        )
        return [self._delivery(r) for r in rows]

    def attempts(self, delivery_ids: list[str]) -> dict[str, list[Attempt]]:
        found: dict[str, list[Attempt]] = {i: [] for i in delivery_ids}
        if not delivery_ids:
            return found
        marks = ", ".join("?" for _ in delivery_ids)
        rows = self.db.rows(
            f"SELECT * FROM webhook_attempts WHERE delivery_id IN ({marks}) "  # noqa: S608 - marks only
            "ORDER BY delivery_id, number",
            delivery_ids,
        )
        for r in rows:
            found[str(r["delivery_id"])].append(
                Attempt(
                    delivery_id=str(r["delivery_id"]),
                    number=int(r["number"]),
                    at=self.db.instant(r["at"]),
                    status_code=_int(r["status_code"]),
                    duration_ms=int(r["duration_ms"]),
                    excerpt=str(r["excerpt"]),
                    error=r["error"],
                )
            )
        return found

    def redeliver(self, delivery_id: str, now: datetime) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, leased_by = NULL, "
                "leased_until = NULL WHERE id = ?",
                [PENDING, now, delivery_id],
            )

    def _delivery(self, r: Row) -> Delivery:
        return Delivery(
            id=str(r["id"]),
            endpoint_id=_uuid(r["endpoint_id"]),
            partner_id=_uuid(r["partner_id"]),
            customer_id=_uuid(r["customer_id"]),
            customer_version=int(r["customer_version"]),
            position=int(r["position"]),
            event_type=str(r["event_type"]),
            status=str(r["status"]),
            attempts=int(r["attempts"]),
            next_attempt_at=None
            if r["next_attempt_at"] is None
            else self.db.instant(r["next_attempt_at"]),
            created_at=self.db.instant(r["created_at"]),
            last_status_code=_int(r["last_status_code"]),
        )


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _ok(attempt: Attempt) -> bool:
    return attempt.status_code is not None and 200 <= attempt.status_code < 300


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
