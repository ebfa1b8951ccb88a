"""Activation links as the owner and the link holder see them (reads only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.activation_links import LinkSigner
from application.authorization import can_copy_link, can_see
from application.clock import Clock
from application.dto import ActivationLink
from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from domain.customer import Customer
from domain.partner import Partner
from domain.values import Actor


@dataclass(frozen=True)
class LinkCheck:
    """A valid link: whom it activates, and whether that has happened already."""

    customer_id: UUID
    link_version: int
    organization_name: str
    partner_name: str
    expires_at: datetime
    activated_at: datetime | None


class ActivationLinks:
    def __init__(self, uow: UnitOfWork, clock: Clock, signer: LinkSigner) -> None:
        self.uow = uow
        self.clock = clock
        self.signer = signer

    def current(self, customer_id: UUID, *, by: Actor) -> ActivationLink:
        """The link that works now; only the owner may copy it."""
        customer = self.uow.load(Customer, customer_id)
        if not can_see(customer, by):
            raise NotFound(f"no customer {customer_id}")
        customer.check_owner(by, "see the activation link")
        return self.of(customer)

    def url_for(self, customer: Customer, by: Actor) -> str | None:
        """The link that works now if ``by`` may copy it (the owner), else None."""
        return self.of(customer).url if can_copy_link(customer, by) else None

    def of(self, customer: Customer) -> ActivationLink:
        s = customer.state
        return ActivationLink(self.signer.url(customer.id, s.link_version), s.link_expires_at)

    def check(self, token: str) -> LinkCheck:
        """NotFound for a token the server did not make; LinkExpired when replaced or
        expired. Records nothing."""
        parsed = self.signer.parse(token)
        customer = self.uow.load(Customer, parsed.customer_id)
        customer.check_link(parsed.link_version, self.clock.now())
        partner = self.uow.load(Partner, customer.state.partner_id)
        return LinkCheck(
            customer.id,
            parsed.link_version,
            customer.state.organization_name,
            partner.state.name,
            customer.state.link_expires_at,
            customer.state.activated_at,
        )
