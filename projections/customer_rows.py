"""A customer's rows, derived from its state alone (plus the trial extensions it had)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any
from uuid import UUID

from domain.customer import Customer, CustomerState
from domain.values import Policy
from projections.keepable import keepable_state
from projections.sql import Database, EncodedJson, Json, Row


@dataclass
class Tracked:
    """A customer as the projection keeps it: the aggregate and its extension count."""

    customer: Customer
    extensions: int = 0


def common(c: Customer, s: CustomerState) -> tuple[Any, ...]:
    return (
        c.id,
        c.version,
        c.created_on,
        c.modified_on,
        s.organization_name,
        s.organization_name.lower(),
        s.notification_email,
        s.status.value,
        s.sku,
        Json(list(s.addons)),
        s.partner_id,
        s.distributor_id,
        s.source.value,
        s.automatic_upgrade,
    )


# The columns that hold a state's field as it is, after the common ones.
PENDING_FIELDS = attrgetter(
    "link_version", "link_issued_at", "link_expires_at", "activation_sent_at", "activated_at"
)
ONBOARDED_FIELDS = attrgetter(
    "onboarded_at", "trial_ends_at", "upgrade_notice_sent_at", "production_since", "expiration_date"
)


def pending_row(c: Customer) -> tuple[Any, ...]:
    s, state_json = keepable_state(c.state)
    return (
        *common(c, s),
        *PENDING_FIELDS(s),
        s.import_status.value,
        Json([e.model_dump(mode="json") for e in s.import_errors]),
        Json([e.model_dump(mode="json") for e in s.event_log]),
        EncodedJson(state_json),
    )


def customer_row(t: Tracked) -> tuple[Any, ...]:
    c = t.customer
    s, state_json = keepable_state(c.state)
    return (*common(c, s), *ONBOARDED_FIELDS(s), t.extensions, EncodedJson(state_json))


def deadline_rows(c: Customer, policy: Policy) -> list[tuple[UUID, str, datetime]]:
    """The view rows of what the process manager must do for this customer next."""
    return [(c.id, kind.value, due_at) for kind, due_at in c.deadlines(policy).items()]


def tracked_from_row(db: Database, row: Row) -> Tracked:
    """A customer rebuilt from a view row's state JSON."""
    return Tracked(customer_from_row(db, row), int(row.get("extensions") or 0))


def customer_from_row(db: Database, row: Row) -> Customer:
    raw = row["state"]
    state = (
        CustomerState.model_validate_json(raw)
        if isinstance(raw, str | bytes)
        else CustomerState.model_validate(raw)
    )
    customer = Customer(UUID(str(row["id"])), db.instant(row["created_at"]), state)
    customer.version = int(row["version"])
    customer.modified_on = db.instant(row["modified_at"])
    return customer
