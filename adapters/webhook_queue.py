"""The deliveries the webhooks projection enqueued, leased to senders like due work.

A lease names its owner and the wall-clock time (epoch seconds) until which it
holds; one UPDATE takes it. An attempt is kept with the delivery's new status, and the
lease released, in one transaction, together with how long the endpoint has been
failing.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from uuid import UUID

from application.webhook_ports import CANCELLED, PENDING, Attempt, Delivery
from projections.sql import Database, Row

# The tables are projections/webhooks.py's (DELIVERIES, ATTEMPTS, HEALTH).
# The first due deliveries of each endpoint that has no attempt under way (a lease that
# holds), the endpoints that have waited longest first: a backlog at one endpoint never
# hides the others' deliveries from the senders.
DUE = (
    "SELECT d.* FROM webhook_deliveries d JOIN ("
    " SELECT endpoint_id, MIN(next_attempt_at) AS first_due FROM webhook_deliveries"
    " WHERE status = ? AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until < ?)"
    " AND endpoint_id NOT IN ("
    "  SELECT endpoint_id FROM webhook_deliveries WHERE status = ? AND leased_until >= ?)"
    " GROUP BY endpoint_id ORDER BY first_due LIMIT ?) f"
    " ON d.endpoint_id = f.endpoint_id AND d.next_attempt_at = f.first_due"
    " WHERE d.status = ? AND (d.leased_until IS NULL OR d.leased_until < ?)"
    " ORDER BY d.next_attempt_at, d.position"
)
OUTSTANDING = "SELECT id FROM webhook_deliveries WHERE status = ? AND next_attempt_at <= ? LIMIT 1"
CLAIM = (
    "UPDATE webhook_deliveries SET leased_by = ?, leased_until = ? WHERE id = ? AND status = ? "
    "AND (leased_until IS NULL OR leased_until < ? OR leased_by = ?)"
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

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        wall = time.time()
        rows = self.db.rows(DUE, [PENDING, now, wall, PENDING, wall, limit, PENDING, wall])
        return [self._delivery(r) for r in rows]

    def outstanding(self, now: datetime) -> bool:
        return bool(self.db.rows(OUTSTANDING, [PENDING, now]))

    def claim(self, delivery_id: str, owner: str, until: float) -> bool:
        with self.db.transaction() as tx:
            taken = tx.execute(CLAIM, [owner, until, delivery_id, PENDING, time.time(), owner])
        return bool(taken == 1)

    def record(
        self, attempt: Attempt, *, status: str, next_attempt_at: datetime | None
    ) -> datetime | None:
        with self.db.transaction() as tx:
            rows = tx.rows(
                "SELECT endpoint_id FROM webhook_deliveries WHERE id = ?", [attempt.delivery_id]
            )
            tx.execute(
                KEEP,
                [
                    attempt.delivery_id,
                    attempt.number,
                    attempt.at,
                    attempt.status_code,
                    attempt.duration_ms,
                    attempt.excerpt,
                    attempt.error,
                ],
            )
            tx.execute(
                ADVANCE,
                [status, attempt.number, next_attempt_at, attempt.status_code, attempt.delivery_id],
            )
            if not rows:
                return None
            endpoint_id = rows[0]["endpoint_id"]
            ok = attempt.status_code is not None and 200 <= attempt.status_code < 300
            tx.execute(
                SUCCEEDED if ok else FAILED_NOW, [endpoint_id] if ok else [endpoint_id, attempt.at]
            )
            since = tx.rows(FAILING_SINCE, [endpoint_id])
        value = since[0]["failing_since"] if since else None
        return None if value is None else self.db.instant(value)

    def cancel(self, delivery_id: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE webhook_deliveries SET status = ?, leased_by = NULL, leased_until = NULL "
                "WHERE id = ?",
                [CANCELLED, delivery_id],
            )

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


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
