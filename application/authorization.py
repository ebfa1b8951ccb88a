"""Who may see which customer. What each may *do* is the domain's rule.

The rule is ``visible_to``: it says, as data, which customers a principal sees. The
application applies it to a loaded customer (``can_see``); the list views turn it into
their WHERE clause (projections/reader.py). ``partners_listed_for`` does the same for
partners: the partners page's list (projections/directory.py) and a partner's own read.
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


@dataclass(frozen=True)
class PartnerVisibility:
    """The partners a principal lists: all of them (``everything``), else the partner
    ``itself`` and the MSPs whose distributor is ``msps_of``."""

    everything: bool = False
    itself: UUID | None = None
    msps_of: UUID | None = None

    def admits(self, partner_id: UUID, distributor_id: UUID | None) -> bool:
        return (
            self.everything
            or (self.itself is not None and partner_id == self.itself)
            or (self.msps_of is not None and distributor_id == self.msps_of)
        )


def partners_listed_for(by: Actor) -> PartnerVisibility:
    """The admin and auditors list every partner; a distributor its MSPs; an MSP
    itself; anyone else none."""
    if by.kind in READ_ALL:
        return PartnerVisibility(everything=True)
    if not by.is_partner:
        return PartnerVisibility()
    try:
        partner_id = UUID(by.id)
    except ValueError:
        return PartnerVisibility()
    if by.kind is ActorKind.DISTRIBUTOR:
        return PartnerVisibility(msps_of=partner_id)
    return PartnerVisibility(itself=partner_id)


def can_read_partner(partner_id: UUID, distributor_id: UUID | None, by: Actor) -> bool:
    """A partner reads its own record, and those it lists."""
    is_itself = by.is_partner and by.id == str(partner_id)
    return is_itself or partners_listed_for(by).admits(partner_id, distributor_id)


def can_see(customer: Customer, by: Actor) -> bool:
    return visible_to(by).admits(customer)


def can_copy_link(customer: Customer, by: Actor) -> bool:
    """Only the owner gets a customer's activation link, wherever it would appear."""
    return customer.is_owner(by)


def can_reach(customer: Customer, by: Actor) -> bool:
    """Whether a command from ``by`` is answered with the domain's reason, not 404."""
    return by.kind in REACH_ALL or can_see(customer, by)
