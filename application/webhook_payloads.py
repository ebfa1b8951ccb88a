"""The payload of a customer event, the one the webhooks send and the events feed
lists: built here only, from the stored history (application/webhook_messages.py says
what it holds)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from application.webhook_messages import body
from domain.aggregate import DomainEvent
from domain.customer import Customer


@dataclass(frozen=True)
class Occurrence:
    """A customer's event at ``version``, of webhook type ``event_type``, at ``position``
    in the notification log."""

    customer_id: UUID
    version: int
    event_type: str
    position: int


def payload(uow: UnitOfWork, occurrence: Occurrence) -> bytes:
    return payloads(uow, [occurrence])[0]


def payloads(uow: UnitOfWork, occurrences: Sequence[Occurrence]) -> list[bytes]:
    """Each occurrence's body, in the order given. A customer's history is read once for
    all its occurrences: loaded at the first, then evolved event by event."""
    wanted: dict[UUID, dict[int, Occurrence]] = defaultdict(dict)
    for o in occurrences:
        wanted[o.customer_id][o.version] = o
    made: dict[tuple[UUID, int], bytes] = {}
    for customer_id, versions in wanted.items():
        first, last = min(versions), max(versions)
        customer = uow.load(Customer, customer_id, first)
        for event in uow.store.events.get(customer_id, gt=first - 1, lte=last):
            if not isinstance(event, DomainEvent):
                raise NotFound(f"no event {event.originator_version} of customer {customer_id}")
            if event.originator_version > first:
                customer = event.mutate(customer)
            at = versions.get(event.originator_version)
            if at is not None:
                made[customer_id, at.version] = body(customer, event, at.event_type, at.position)
    try:
        return [made[o.customer_id, o.version] for o in occurrences]
    except KeyError as missing:
        raise NotFound(f"no event {missing} in the stored histories") from None
