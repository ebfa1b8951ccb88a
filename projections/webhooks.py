"""Webhook deliveries, enqueued from the notification log.

The projection keeps who owns each customer and which endpoints listen for what, as
of its position in the log, and for each customer event inserts one delivery row per
matching live endpoint, in the transaction that stores its position: every event is
enqueued exactly once for every endpoint, whichever process recorded it. Deliveries
(and their attempts) are an outbox, not a view: a rebuild rebuilds the owners and the
endpoints and leaves the deliveries alone, so it sends nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from application.webhook_messages import event_id, webhook_id
from application.webhook_ports import PENDING
from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.errors import DomainError
from domain.webhook_endpoint import WebhookEndpoint
from domain.webhook_types import type_of
from projections.customer_owners import Owner, as_uuid, fetch_owners, write_owners
from projections.projection import Projection, in_list, unique_ids
from projections.sql import Database, Json, Tx
from projections.webhook_tables import ATTEMPTS, DELIVERIES, ENDPOINTS, ENQUEUE, HEALTH, OWNERS

ENDPOINT_EVENTS: tuple[type[DomainEvent], ...] = tuple(
    v for v in vars(WebhookEndpoint).values() if isinstance(v, type) and issubclass(v, DomainEvent)
)
HANDLED: tuple[type[DomainEvent], ...] = (Customer.Event, Customer.Created, *ENDPOINT_EVENTS)


@dataclass
class Route:
    id: UUID
    version: int
    partner_id: UUID
    event_types: tuple[str, ...]
    disabled: bool
    deleted: bool
    registered_at: datetime

    def wants(self, owner: Owner, event_type: str) -> bool:
        return (
            not (self.disabled or self.deleted)
            and self.partner_id in (owner.partner_id, owner.distributor_id)
            and (not self.event_types or event_type in self.event_types)
        )


Record = Owner | Route


class WebhookDeliveries(Projection[Record]):
    name = "webhooks"
    tables = (OWNERS, ENDPOINTS)
    kept_tables = (DELIVERIES, ATTEMPTS, HEALTH)

    def __init__(self) -> None:
        # Told (in the follower's thread) when a batch that enqueued deliveries has
        # committed: the senders of this process wake, rather than poll.
        self.enqueued: list[Callable[[], None]] = []
        self._enqueued = False

    def committed(self) -> None:
        if self._enqueued:
            self._enqueued = False
            for tell in self.enqueued:
                tell()

    def handles(self, event: DomainEvent) -> bool:
        return isinstance(event, HANDLED)

    def version(self, record: Record) -> int:
        return record.version

    def evolve(self, record: Record | None, event: DomainEvent) -> Record:
        v = event.originator_version
        if isinstance(event, Customer.Created):
            return Owner(event.originator_id, v, event.partner_id, event.distributor_id)
        if isinstance(event, WebhookEndpoint.Registered):
            return Route(
                event.originator_id,
                v,
                event.partner_id,
                event.event_types,
                False,
                False,
                event.timestamp,
            )
        if record is None:
            raise DomainError(f"webhooks have no {event.originator_id} for its event {v}")
        if isinstance(record, Owner):
            return replace(record, version=v)
        changes: dict[str, Any] = {"version": v}
        if isinstance(event, WebhookEndpoint.Changed):
            changes["event_types"] = event.event_types
        elif isinstance(event, WebhookEndpoint.Disabled | WebhookEndpoint.Enabled):
            changes["disabled"] = isinstance(event, WebhookEndpoint.Disabled)
        elif isinstance(event, WebhookEndpoint.Deleted):
            changes["deleted"] = True
        return replace(record, **changes)

    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, Record]]:
        if not ids:
            return dict
        owners = fetch_owners(tx, OWNERS, ids)
        routes = _fetch_routes(
            tx, f"SELECT * FROM {ENDPOINTS.name} WHERE id IN {in_list(ids)}", ids
        )
        return lambda: {**owners(), **routes()}

    def write(
        self, tx: Tx, records: Sequence[Record], *, suffix: str = "", fresh: bool = False
    ) -> None:
        owners = [o for o in records if isinstance(o, Owner)]
        routes = [
            (
                r.id,
                r.version,
                r.partner_id,
                Json(list(r.event_types)),
                r.disabled,
                r.deleted,
                r.registered_at,
            )
            for r in records
            if isinstance(r, Route)
        ]
        write_owners(tx, OWNERS, owners, suffix=suffix, fresh=fresh)
        ENDPOINTS.write(tx, routes, suffix=suffix, fresh=fresh)

    def prepare(
        self, tx: Tx, numbered: Sequence[tuple[int, DomainEvent]]
    ) -> Callable[[], None] | None:
        if not (mine := self.handled(numbered)):
            return None
        ids = unique_ids(e for _, e in mine)
        owners = fetch_owners(tx, OWNERS, ids)
        created = {
            p
            for _, e in mine
            if isinstance(e, Customer.Created)
            for p in (e.partner_id, e.distributor_id)
            if p is not None
        }
        routes = _fetch_routes(tx, *_routes_query(ids, sorted(created)))

        def finish() -> None:
            records: dict[UUID, Record] = {**routes(), **owners()}
            touched: set[UUID] = set()
            deliveries: list[tuple[Any, ...]] = []
            for position, event, record in self.feed_numbered(records, mine, touched):
                event_type = type_of(event)
                if event_type is None or not isinstance(record, Owner):
                    continue
                for route in records.values():
                    if isinstance(route, Route) and route.wants(record, event_type):
                        deliveries.append(_delivery(position, event, route, event_type))
            self.write(tx, [records[i] for i in touched])
            tx.executemany(ENQUEUE, deliveries)
            self._enqueued = self._enqueued or bool(deliveries)

        return finish


def _routes_query(ids: Sequence[UUID], created: Sequence[UUID]) -> tuple[str, list[Any]]:
    """One query for the endpoints a batch may touch (``ids``) and every endpoint of the
    partners and distributors of its customers: those of the owners stored, and those
    of the customers it creates (``created``). An endpoint may come twice."""
    marks = in_list(ids)
    sql = (
        f"SELECT * FROM {ENDPOINTS.name} WHERE id IN {marks} UNION ALL "
        f"SELECT * FROM {ENDPOINTS.name} WHERE partner_id IN ("
        f"SELECT partner_id FROM {OWNERS.name} WHERE id IN {marks} UNION "
        f"SELECT distributor_id FROM {OWNERS.name} WHERE id IN {marks})"
    )
    if created:
        sql += f" UNION ALL SELECT * FROM {ENDPOINTS.name} WHERE partner_id IN {in_list(created)}"
    return sql, [*ids, *ids, *ids, *created]


def _fetch_routes(tx: Tx, sql: str, params: Sequence[Any]) -> Callable[[], dict[UUID, Record]]:
    answer = tx.query(sql, params)

    def routes() -> dict[UUID, Record]:
        found = [
            Route(
                as_uuid(r["id"]),
                int(r["version"]),
                as_uuid(r["partner_id"]),
                tuple(tx.db.loads(r["event_types"])),
                bool(r["disabled"]),
                bool(r["deleted"]),
                tx.db.instant(r["registered_at"]),
            )
            for r in answer()
        ]
        return {r.id: r for r in found}

    return routes


def _delivery(position: int, event: DomainEvent, route: Route, event_type: str) -> tuple[Any, ...]:
    msg_id = webhook_id(event_id(event.originator_id, event.originator_version), route.id)
    return (
        msg_id,
        route.id,
        route.partner_id,
        event.originator_id,
        event.originator_version,
        position,
        event_type,
        PENDING,
        event.recorded_at,
        event.recorded_at,
    )


class WebhookRoutes:
    """The endpoints' ids from the view (``EndpointList``)."""

    def __init__(self, db: Database, wait_until_current: Callable[[], object]) -> None:
        self.db = db
        self.wait_until_current = wait_until_current

    def endpoint_ids(self, partner_id: UUID | None) -> list[UUID]:
        self.wait_until_current()  # read your writes
        where, params = ("", []) if partner_id is None else ("AND partner_id = ? ", [partner_id])
        rows = self.db.rows(
            f"SELECT id FROM {ENDPOINTS.name} WHERE NOT deleted {where}ORDER BY registered_at, id",
            params,
        )
        return [as_uuid(r["id"]) for r in rows]
