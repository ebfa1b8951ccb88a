"""A production MSP, an importer, and customers added and onboarded through the commands."""

from __future__ import annotations

from uuid import UUID

from api.bootstrap import Services
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus, ServiceRole

ADMIN = Actor(kind=ActorKind.ADMIN, id="admin")


class Story:
    def __init__(self, services: Services) -> None:
        self.s = services
        partner, key = services.partners.register(
            name="Northwind MSP", kind=PartnerKind.MSP, status=PartnerStatus.PRODUCTION, by=ADMIN
        )
        self.partner = partner
        msp = services.auth.authenticate(key)
        assert msp is not None
        self.msp = msp
        importer_key = services.partners.register_service_account(
            role=ServiceRole.IMPORTER, name="importer", by=ADMIN
        ).api_key
        importer = services.auth.authenticate(importer_key)
        assert importer is not None
        self.importer = importer

    def add(self, email: str = "it@contoso.example") -> UUID:
        return self.s.customers.add(
            partner_id=self.partner.id,
            organization_name="Contoso",
            notification_email=email,
            sku="ESSENTIALS_MSP_2025",
            addons=[],
            by=self.msp,
        ).customer.id

    def onboard(self, customer_id: UUID) -> None:
        self.s.customers.activate(customer_id, link_version=1)
        self.s.customers.complete_import(customer_id, by=self.importer)

    def types(self, customer_id: UUID) -> list[str]:
        return [e.type for e in self.s.queries.history(customer_id, by=ADMIN).events]
