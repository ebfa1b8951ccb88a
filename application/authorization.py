"""Who may see which customer. What each may *do* is the domain's rule."""

from __future__ import annotations

from domain.customer import Customer
from domain.values import Actor, ActorKind

READ_ALL = frozenset({ActorKind.AUDITOR, ActorKind.ADMIN})
REACH_ALL = READ_ALL | {ActorKind.IMPORTER, ActorKind.SYSTEM, ActorKind.CUSTOMER}


def can_see(customer: Customer, by: Actor) -> bool:
    """Owner, the owner's distributor, auditors and the admin see a customer."""
    if by.kind in READ_ALL:
        return True
    s = customer.state
    if by.kind is ActorKind.DISTRIBUTOR and by.id == str(s.distributor_id):
        return True
    return by.is_partner and by.id == str(s.partner_id)


def can_copy_link(customer: Customer, by: Actor) -> bool:
    """Only the owner gets a customer's activation link, wherever it would appear."""
    return customer.is_owner(by)


def can_reach(customer: Customer, by: Actor) -> bool:
    """Whether a command from ``by`` is answered with the domain's reason, not 404."""
    return by.kind in REACH_ALL or can_see(customer, by)
