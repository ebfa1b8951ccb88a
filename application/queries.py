"""Reading one customer: now, at a version, as of an instant, and its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from uuid import UUID

from application.actions import actions_for
from application.authorization import can_see
from application.clock import Clock
from application.dto import ActorDTO, CustomerDTO, History, HistoryEvent
from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from domain.aggregate import DomainEvent, Snapshot
from domain.customer import Customer
from domain.partner import Partner
from domain.rules import check_instant
from domain.user import User
from domain.values import Actor, Policy


@dataclass(eq=False)
class CustomerQueries:
    """A customer as its viewer may see it: now or as of an instant, and its history."""

    uow: UnitOfWork
    clock: Clock
    policy: Policy

    def get(
        self,
        customer_id: UUID,
        *,
        by: Actor,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> CustomerDTO:
        if as_of is not None:
            customer = self._as_of(customer_id, check_instant(as_of, "as_of"), by)
        else:
            customer = self.uow.load(Customer, customer_id, version)
            self._check_visible(customer, by)
        if version is not None and customer.version != version:
            raise NotFound(f"customer {customer_id} has no version {version}")
        if version is not None or as_of is not None:
            return CustomerDTO.of(customer)
        return self.describe(customer, by)

    def describe(self, customer: Customer, by: Actor, owner: Partner | None = None) -> CustomerDTO:
        """``customer`` with the caller's actions now; ``owner`` when already loaded."""
        return self.describe_all([customer], by, loaded=[owner] if owner else [])[0]

    def describe_all(
        self, customers: list[Customer], by: Actor, loaded: Sequence[Partner] = ()
    ) -> list[CustomerDTO]:
        """Customers with the caller's actions now (each owner loaded once, unless it is
        among the partners already ``loaded``)."""
        now = self.clock.now()
        owners = {p.id: p for p in loaded}
        for partner_id in {c.state.partner_id for c in customers} - owners.keys():
            owners[partner_id] = self.uow.load(Partner, partner_id)
        return [
            CustomerDTO.of(c, actions_for(c, owners[c.state.partner_id], by, self.policy, now))
            for c in customers
        ]

    def history(self, customer_id: UUID, *, by: Actor) -> History:
        customer = self.uow.load(Customer, customer_id)
        self._check_visible(customer, by)
        events = [cast(DomainEvent, e) for e in self.uow.store.events.get(customer_id)]
        people = self._people({e.actor.user_id for e in events} - {None})
        return History(customer_id=customer_id, events=[_describe(e, people) for e in events])

    def _people(self, user_ids: set[UUID | None]) -> dict[UUID, User]:
        """The users who acted, each loaded once (a removed user is still named)."""
        found = {}
        for user_id in user_ids:
            assert user_id is not None
            try:
                found[user_id] = self.uow.load(User, user_id)
            except NotFound:
                continue
        return found

    def _as_of(self, customer_id: UUID, instant: datetime, by: Actor) -> Customer:
        """Replay the events that had taken effect at ``instant``, starting from the
        latest snapshot taken before it (timestamps never decrease within a history,
        so those events are a prefix of it). Whether ``by`` may see the customer is
        decided first, on its creation: who may not see it learns nothing of when."""
        self._check_visible(self._created(customer_id), by)
        customer: Customer | None = None
        store = self.uow.store
        for stored_snapshot in (
            store.snapshots.get(customer_id, desc=True) if store.snapshots else []
        ):
            snapshot = cast(Snapshot, stored_snapshot)
            if snapshot.timestamp <= instant:
                customer = cast(Customer, snapshot.mutate(None))
                break
        after = customer.version if customer else None
        for stored in store.events.get(customer_id, gt=after):
            event = cast(DomainEvent, stored)
            if event.timestamp > instant:
                break
            customer = event.mutate(customer)
        if customer is None:
            raise NotFound(f"customer {customer_id} did not exist at {instant.isoformat()}")
        return customer

    def _created(self, customer_id: UUID) -> Customer:
        """The customer as its first event made it (its owner never changes after)."""
        for stored in self.uow.store.events.get(customer_id, limit=1):
            created = cast(DomainEvent, stored).mutate(None)
            if isinstance(created, Customer):
                return created
        raise NotFound(f"no customer {customer_id}")

    def _check_visible(self, customer: Customer, by: Actor) -> None:
        if not can_see(customer, by):
            raise NotFound(f"no customer {customer.id}")


def _describe(event: DomainEvent, people: dict[UUID, User]) -> HistoryEvent:
    actor = event.actor
    person = people.get(actor.user_id) if actor.user_id else None
    return HistoryEvent(
        **event.envelope()
        | {
            "actor": ActorDTO(
                kind=actor.kind.value,
                id=actor.id,
                user_id=str(actor.user_id) if actor.user_id else None,
                name=person.state.name if person else None,
                email=person.state.email if person else None,
            )
        },
        data=event.facts(),
    )
