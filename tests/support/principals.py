"""Who acts in the tests: the operator's actors, the admin token and secret key, and
partners' actors: fixed ones for tests without services (``MSP`` under ``DISTRIBUTOR``,
``OTHER_MSP`` on its own), and those registered through the services."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus, ServiceRole

if TYPE_CHECKING:
    from api.bootstrap import Services

ADMIN = Actor(kind=ActorKind.ADMIN, id="admin")
AUDITOR = Actor(kind=ActorKind.AUDITOR, id="auditor")
IMPORTER = Actor(kind=ActorKind.IMPORTER, id="importer")
HOLDER = Actor(kind=ActorKind.CUSTOMER, id="link-holder")

ADMIN_TOKEN = "admin-token-for-tests"
SECRET_KEY = "k" * 32

DISTRIBUTOR_ID = UUID("00000000-0000-4000-8000-0000000000d1")
MSP_ID = UUID("00000000-0000-4000-8000-0000000000a1")
OTHER_MSP_ID = UUID("00000000-0000-4000-8000-0000000000a2")


def partner(kind: PartnerKind, partner_id: UUID) -> Actor:
    """The actor of a partner of ``kind``, as its key would authenticate it."""
    return Actor(kind=ActorKind(kind.value), id=str(partner_id))


DISTRIBUTOR = partner(PartnerKind.DISTRIBUTOR, DISTRIBUTOR_ID)
MSP = partner(PartnerKind.MSP, MSP_ID)
OTHER_MSP = partner(PartnerKind.MSP, OTHER_MSP_ID)


def authenticated(services: Services, key: str) -> Actor:
    """The actor ``key`` authenticates as; the key must be a valid one."""
    actor = services.auth.authenticate(key)
    assert actor is not None
    return actor


def an_msp(services: Services, name: str = "Northwind") -> tuple[UUID, Actor]:
    """A production MSP and the principal its key authenticates as."""
    registered, key = services.partners.register(
        name=name, kind=PartnerKind.MSP, status=PartnerStatus.PRODUCTION, by=ADMIN
    )
    return registered.id, authenticated(services, key)


def an_importer(services: Services) -> Actor:
    """A new importer service account, as its key authenticates it."""
    key = services.partners.register_service_account(
        role=ServiceRole.IMPORTER, name="importer", by=ADMIN
    ).api_key
    return authenticated(services, key)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
