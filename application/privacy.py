"""A customer's personal data: erasing it, and saying what is held and where.

Erasure records ``PersonalDataErased`` (who, when, why); the event store deletes the
customer's data key in the same transaction, so the personal fields of its history
(the notification email, the importer's messages) read as None from then on, on every
read path: the customer, its history, its state as of any instant, the views, the
events feed, the webhooks, the console and the audit export. Then the answers kept
for Idempotency-Keys that mention the customer are forgotten, and, once the views
have nulled their columns, the storage is scrubbed (the views database's write-ahead log,
where it keeps one).

Erasing twice is refused (``InvalidState``: 409): the first erasure is the one that
says who, when and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from pydantic import BaseModel

from application.authorization import can_see
from application.customers import CustomerCommands
from application.dto import Outcome
from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.errors import Forbidden
from domain.values import Actor, ActorKind

SETTLE_TIMEOUT = 5.0  # seconds the erasure waits for the views before scrubbing


class Holding(BaseModel):
    """One piece of personal data and where it is held."""

    where: Literal["event", "view", "pending_email", "idempotency_answer"]
    value: str | None = None
    version: int | None = None  # an event's
    event_type: str | None = None
    field: str | None = None  # the event's field, or the view's column
    table: str | None = None  # a view's
    kind: str | None = None  # a pending email's
    due_at: datetime | None = None


class PersonalData(BaseModel):
    customer_id: UUID
    erased: bool
    holdings: list[Holding]


class KeptAnswers(Protocol):
    """The answers kept for Idempotency-Keys (sealed at rest)."""

    def mentioning(self, customer_id: UUID) -> int: ...

    def forget_mentioning(self, customer_id: UUID) -> int: ...


@dataclass(eq=False)
class Privacy:
    uow: UnitOfWork
    customers: CustomerCommands
    answers: KeptAnswers
    in_views: Callable[[UUID], list[Holding]]
    wait_for_views: Callable[[int, float], bool]
    scrub: Callable[[], None]

    def erase(self, customer_id: UUID, *, reason: str, by: Actor) -> Outcome:
        outcome = self.customers.erase_personal_data(customer_id, reason=reason, by=by)
        self.answers.forget_mentioning(customer_id)
        if outcome.position is not None:
            self.wait_for_views(outcome.position, SETTLE_TIMEOUT)
        self.scrub()
        return outcome

    def held(self, customer_id: UUID, *, by: Actor) -> PersonalData:
        """Every piece of personal data held about the customer, and where: for its
        owner, auditors and the admin."""
        customer = self.uow.load(Customer, customer_id)
        if not can_see(customer, by):
            raise NotFound(f"no customer {customer_id}")
        if by.kind not in (ActorKind.AUDITOR, ActorKind.ADMIN) and not customer.is_owner(by):
            raise Forbidden("only the owning partner, auditors and the admin see personal data")
        holdings: list[Holding] = []
        for stored in self.uow.store.events.get(customer_id):
            event = stored
            assert isinstance(event, DomainEvent)
            for field in sorted(type(event).PERSONAL_FIELDS):
                value = getattr(event, field)
                if value is not None:
                    holdings.append(
                        Holding(
                            where="event",
                            version=event.originator_version,
                            event_type=type(event).__name__,
                            field=field,
                            value=value,
                        )
                    )
        holdings += self.in_views(customer_id)
        kept = self.answers.mentioning(customer_id)
        holdings += [Holding(where="idempotency_answer", value=None) for _ in range(kept)]
        return PersonalData(
            customer_id=customer_id, erased=customer.state.erased, holdings=holdings
        )
