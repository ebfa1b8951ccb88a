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
from projections.projection import Projection, in_list
from projections.schema import Table
from projections.sql import Database, Json, Tx

OWNERS = Table(
    name="view_webhook_customers",
    columns=(
        ("id", "{uuid} NOT NULL"),
        ("version", "INTEGER NOT NULL"),
        ("partner_id", "{uuid} NOT NULL"),
        ("distributor_id", "{uuid}"),
    ),
    primary_key=("id",),
)
ENDPOINTS = Table(
    name="view_webhook_endpoints",
    columns=(
        ("id", "{uuid} NOT NULL"),
        ("version", "INTEGER NOT NULL"),
        ("partner_id", "{uuid} NOT NULL"),
        ("event_types", "{json} NOT NULL"),
        ("disabled", "{bool} NOT NULL"),
        ("deleted", "{bool} NOT NULL"),
        ("registered_at", "{instant} NOT NULL"),
    ),
    primary_key=("id",),
    indexes=(("partner_id",),),
)
DELIVERIES = Table(
    name="webhook_deliveries",
    columns=(
        ("id", "TEXT NOT NULL"),
        ("endpoint_id", "{uuid} NOT NULL"),
        ("partner_id", "{uuid} NOT NULL"),
        ("customer_id", "{uuid} NOT NULL"),
        ("customer_version", "INTEGER NOT NULL"),
        ("position", "BIGINT NOT NULL"),
        ("event_type", "TEXT NOT NULL"),
        ("status", "TEXT NOT NULL"),
        ("attempts", "INTEGER NOT NULL"),
        ("next_attempt_at", "{instant}"),
        ("created_at", "{instant} NOT NULL"),
        ("last_status_code", "INTEGER"),
        ("leased_by", "TEXT"),
        ("leased_until", "DOUBLE PRECISION"),
    ),
    primary_key=("id",),
    indexes=(
        ("status", "next_attempt_at"),
        ("endpoint_id", "position"),
        ("endpoint_id", "status", "next_attempt_at"),
    ),
)
ATTEMPTS = Table(
    name="webhook_attempts",
    columns=(
        ("delivery_id", "TEXT NOT NULL"),
        ("number", "INTEGER NOT NULL"),
        ("at", "{instant} NOT NULL"),
        ("status_code", "INTEGER"),
        ("duration_ms", "INTEGER NOT NULL"),
        ("excerpt", "TEXT NOT NULL"),
        ("error", "TEXT"),
    ),
    primary_key=("delivery_id", "number"),
)
HEALTH = Table(
    name="webhook_endpoint_health",
    columns=(("endpoint_id", "{uuid} NOT NULL"), ("failing_since", "{instant}")),
    primary_key=("endpoint_id",),
)
ENQUEUE = (
    f"INSERT INTO {DELIVERIES.name} (id, endpoint_id, partner_id, customer_id, "
    "customer_version, position, event_type, status, attempts, next_attempt_at, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (id) DO NOTHING"
)
ENDPOINT_EVENTS: tuple[type[DomainEvent], ...] = tuple(
    v for v in vars(WebhookEndpoint).values() if isinstance(v, type) and issubclass(v, DomainEvent)
)
HANDLED: tuple[type[DomainEvent], ...] = (Customer.Event, Customer.Created, *ENDPOINT_EVENTS)


@dataclass
class Owner:
    id: UUID
    version: int
    partner_id: UUID
    distributor_id: UUID | None


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

    def load(self, tx: Tx, ids: Sequence[UUID]) -> dict[UUID, Record]:
        found: dict[UUID, Record] = {}
        if not ids:
            return found
        marks = in_list(ids)
        for row in tx.rows(f"SELECT * FROM {OWNERS.name} WHERE id IN {marks}", ids):
            owner = Owner(
                _uuid(row["id"]),
                int(row["version"]),
                _uuid(row["partner_id"]),
                _uuid_or_none(row["distributor_id"]),
            )
            found[owner.id] = owner
        found.update(self._routes(tx, f"id IN {marks}", ids))
        return found

    def _routes(self, tx: Tx, where: str, params: Sequence[Any]) -> dict[UUID, Record]:
        rows = tx.rows(f"SELECT * FROM {ENDPOINTS.name} WHERE {where}", params)
        routes = [
            Route(
                _uuid(r["id"]),
                int(r["version"]),
                _uuid(r["partner_id"]),
                tuple(tx.db.loads(r["event_types"])),
                bool(r["disabled"]),
                bool(r["deleted"]),
                tx.db.instant(r["registered_at"]),
            )
            for r in rows
        ]
        return {r.id: r for r in routes}

    def write(
        self, tx: Tx, records: Sequence[Record], *, suffix: str = "", fresh: bool = False
    ) -> None:
        owners = [
            (o.id, o.version, o.partner_id, o.distributor_id)
            for o in records
            if isinstance(o, Owner)
        ]
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
        if fresh:
            tx.insert_many(OWNERS.name + suffix, OWNERS.column_names, owners)
            tx.insert_many(ENDPOINTS.name + suffix, ENDPOINTS.column_names, routes)
            return
        tx.executemany(OWNERS.upsert(), owners)
        tx.executemany(ENDPOINTS.upsert(), routes)

    def process_log(self, tx: Tx, numbered: Sequence[tuple[int, DomainEvent]]) -> None:
        mine = [(i, e) for i, e in numbered if self.handles(e)]
        if not mine:
            return
        records = self.load(tx, list(dict.fromkeys(e.originator_id for _, e in mine)))
        partners = {
            p
            for r in records.values()
            if isinstance(r, Owner)
            for p in (r.partner_id, r.distributor_id)
            if p is not None
        }
        partners |= {
            p
            for _, e in mine
            if isinstance(e, Customer.Created)
            for p in (e.partner_id, e.distributor_id)
            if p is not None
        }
        if partners:
            ids = sorted(partners)
            listening = self._routes(tx, f"partner_id IN {in_list(ids)}", ids)
            records = {**listening, **records}
        touched: set[UUID] = set()
        deliveries: list[tuple[Any, ...]] = []
        for position, event in mine:
            current = records.get(event.originator_id)
            if current is not None and event.originator_version <= current.version:
                continue
            record = records[event.originator_id] = self.evolve(current, event)
            touched.add(record.id)
            event_type = type_of(event)
            if event_type is None or not isinstance(record, Owner):
                continue
            for route in records.values():
                if isinstance(route, Route) and route.wants(record, event_type):
                    deliveries.append(_delivery(position, event, route, event_type))
        self.write(tx, [records[i] for i in touched])
        tx.executemany(ENQUEUE, deliveries)
        self._enqueued = self._enqueued or bool(deliveries)


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


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _uuid_or_none(value: Any) -> UUID | None:
    return None if value is None else _uuid(value)


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
        return [_uuid(r["id"]) for r in rows]
