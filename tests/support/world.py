"""One cast for every layer: a distributor, an MSP under it, another MSP on its own, the
importer, and customers of the MSP, added and onboarded through the use cases.

``World`` builds the cast over the application's services; the end-to-end world
(``tests/e2e/conftest.py``) builds the same cast, by the same names, over HTTP.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from api.bootstrap import Services, build
from application.clock import Clock, TestClock
from domain.values import Actor, PartnerKind, PartnerStatus, ServiceRole
from tests.support.events import ESSENTIALS
from tests.support.principals import ADMIN, an_msp, authenticated, partner
from tests.support.settings import settings_for

DISTRIBUTOR_NAME = "Big Distributor"
MSP_NAME = "Northwind MSP"
OTHER_MSP_NAME = "Other MSP"
CUSTOMER_NAME = "Contoso"
CUSTOMER_EMAIL = "it@contoso.example"


def open_services(database_url: str, clock: Clock, **overrides: Any) -> Services:
    return build(settings_for(database_url, **overrides), clock)


def an_msp_with_customers(services: Services, count: int, name: str = "Northwind") -> list[UUID]:
    """A production MSP named ``name`` and ``count`` customers of it, ``Customer 0`` on."""
    partner_id, msp = an_msp(services, name)
    return [
        services.customers.add(
            partner_id=partner_id,
            organization_name=f"Customer {i}",
            notification_email=f"c{i}@example.com",
            sku=ESSENTIALS,
            addons=[],
            by=msp,
        ).customer.id
        for i in range(count)
    ]


class World:
    """The cast on ``services``, with the partners' keys and actors.

    ``like``: another process's world on the same database; its partners are reused.
    ``step``: how far the clock moves before each ``add`` and ``onboard`` (none by default).
    """

    def __init__(
        self,
        services: Services,
        *,
        msp_status: PartnerStatus = PartnerStatus.PRODUCTION,
        like: World | None = None,
        step: timedelta | None = None,
    ) -> None:
        self.services = services
        self.step = step
        if like is not None:
            for field in _CAST:
                setattr(self, field, getattr(like, field))
            return
        partners = services.partners
        distributor, self.distributor_key = partners.register(
            name=DISTRIBUTOR_NAME, kind=PartnerKind.DISTRIBUTOR, by=ADMIN
        )
        msp, self.msp_key = partners.register(
            name=MSP_NAME,
            kind=PartnerKind.MSP,
            status=msp_status,
            distributor_id=distributor.id,
            by=ADMIN,
        )
        other, self.other_msp_key = partners.register(
            name=OTHER_MSP_NAME, kind=PartnerKind.MSP, status=PartnerStatus.PRODUCTION, by=ADMIN
        )
        self.importer_key = partners.register_service_account(
            role=ServiceRole.IMPORTER, name="importer", by=ADMIN
        ).api_key
        self.distributor_id, self.msp_id, self.other_msp_id = distributor.id, msp.id, other.id
        self.distributor = authenticated(services, self.distributor_key)
        self.msp = authenticated(services, self.msp_key)
        self.other_msp = authenticated(services, self.other_msp_key)
        self.importer = authenticated(services, self.importer_key)

    @property
    def clock(self) -> TestClock:
        clock = self.services.clock
        assert isinstance(clock, TestClock)
        return clock

    def actor(self, key: str) -> Actor:
        return authenticated(self.services, key)

    def partner(self, name: str, kind: PartnerKind, distributor_id: UUID | None = None) -> Actor:
        """Another partner, in production."""
        dto, _ = self.services.partners.register(
            name=name,
            kind=kind,
            status=PartnerStatus.PRODUCTION,
            distributor_id=distributor_id,
            by=ADMIN,
        )
        return partner(kind, dto.id)

    def add(
        self,
        owner: Actor | None = None,
        name: str = CUSTOMER_NAME,
        *,
        email: str = CUSTOMER_EMAIL,
        sku: str = ESSENTIALS,
        addons: tuple[str, ...] = (),
        step: timedelta | None = None,
    ) -> UUID:
        """A new customer of ``owner`` (the MSP by default); ``step``: instead of the world's."""
        self._tick(step)
        owner = owner or self.msp
        return self.services.customers.add(
            partner_id=UUID(owner.id),
            organization_name=name,
            notification_email=email,
            sku=sku,
            addons=list(addons),
            by=owner,
        ).customer.id

    def onboard(self, customer_id: UUID) -> None:
        """Activated through its first link, and its import completed by the importer."""
        self._tick()
        self.services.customers.activate(customer_id, link_version=1)
        self.services.customers.complete_import(customer_id, by=self.importer)

    def onboarded_customer(self) -> UUID:
        customer_id = self.add()
        self.onboard(customer_id)
        return customer_id

    def types(self, customer_id: UUID) -> list[str]:
        """The types of the customer's events, oldest first, as the admin reads them."""
        return [e.type for e in self.services.queries.history(customer_id, by=ADMIN).events]

    def current(self) -> None:
        assert self.services.lists.wait_until_current(5.0)

    def close(self) -> None:
        self.services.close()

    def _tick(self, step: timedelta | None = None) -> None:
        step = self.step if step is None else step
        if step is not None:
            self.clock.advance(step)


_CAST = (
    *("distributor", "distributor_key", "distributor_id"),
    *("msp", "msp_key", "msp_id"),
    *("other_msp", "other_msp_key", "other_msp_id"),
    *("importer", "importer_key"),
)
