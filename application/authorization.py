"""Who may see which customer. What each may *do* is the domain's rule.

The rule is ``visible_to``: it says, as data, which customers a principal sees. The
application applies it to a loaded customer (``can_see``); the list views turn it into
their WHERE clause (projections/reader.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.customer import Customer
from domain.values import Actor, ActorKind

READ_ALL = frozenset({ActorKind.AUDITOR, ActorKind.ADMIN})
REACH_ALL = READ_ALL | {ActorKind.IMPORTER, ActorKind.SYSTEM, ActorKind.CUSTOMER}


@dataclass(frozen=True)
class Visibility:
    """The customers a principal sees: all of them (``everything``), else those whose
    partner is ``owner`` and those whose distributor is ``distributor``."""

    everything: bool = False
    owner: UUID | None = None
    distributor: UUID | None = None

    def admits(self, customer: Customer) -> bool:
        s = customer.state
        return (
            self.everything
            or (self.owner is not None and s.partner_id == self.owner)
            or (self.distributor is not None and s.distributor_id == self.distributor)
        )


NOTHING = Visibility()


def visible_to(by: Actor) -> Visibility:
    """Auditors and the admin see every customer; a partner its own, a distributor its
    MSPs' too; anyone else none."""
    if by.kind in READ_ALL:
        return Visibility(everything=True)
    if not by.is_partner:
        return NOTHING
    try:
        partner_id = UUID(by.id)
    except ValueError:
        return NOTHING
    distributor = partner_id if by.kind is ActorKind.DISTRIBUTOR else None
    return Visibility(owner=partner_id, distributor=distributor)


def can_see(customer: Customer, by: Actor) -> bool:
    return visible_to(by).admits(customer)


def can_copy_link(customer: Customer, by: Actor) -> bool:
    """Only the owner gets a customer's activation link, wherever it would appear."""
    return customer.is_owner(by)


def can_reach(customer: Customer, by: Actor) -> bool:
    """Whether a command from ``by`` is answered with the domain's reason, not 404."""
    return by.kind in REACH_ALL or can_see(customer, by)
