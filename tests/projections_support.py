"""Helpers for the projection tests: a small world of partners and customers."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from api.bootstrap import Services, build
from application.clock import TestClock
from application.settings import Settings
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus
from projections.schema import CUSTOMERS, DEADLINES, PARTNERS, PENDING
from projections.views import Views

ADMIN = Actor(kind=ActorKind.ADMIN, id="test")
AUDITOR = Actor(kind=ActorKind.AUDITOR, id="test")
IMPORTER = Actor(kind=ActorKind.IMPORTER, id="test")
VIEW_TABLES = (PENDING, CUSTOMERS, DEADLINES, PARTNERS)


class World:
    """A distributor, an MSP under it and a standalone MSP, on one database."""

    def __init__(self, database_url: str, clock: TestClock, like: World | None = None) -> None:
        """A new service instance; ``like``: another process sharing that world's partners."""
        self.clock = clock
        self.services = build(Settings(database_url=database_url), clock)
        if like is not None:
            self.distributor, self.msp, self.loner = like.distributor, like.msp, like.loner
            return
        self.distributor = self.partner("Dist", PartnerKind.DISTRIBUTOR, None)
        self.msp = self.partner("Under Dist", PartnerKind.MSP, UUID(self.distributor.id))
        self.loner = self.partner("Loner", PartnerKind.MSP, None)

    def partner(self, name: str, kind: PartnerKind, distributor_id: UUID | None) -> Actor:
        dto, _ = self.services.partners.register(
            name=name,
            kind=kind,
            status=PartnerStatus.PRODUCTION,
            distributor_id=distributor_id,
            by=ADMIN,
        )
        return Actor(kind=ActorKind(kind.value), id=str(dto.id))

    def add(self, owner: Actor, name: str, *, step: timedelta = timedelta(minutes=1)) -> UUID:
        self.clock.advance(step)
        outcome = self.services.customers.add(
            partner_id=UUID(owner.id),
            organization_name=name,
            notification_email="it@example.com",
            sku="ESSENTIALS_MSP_2025",
            addons=["AUDIT"],
            by=owner,
        )
        return outcome.customer.id

    def onboard(self, customer_id: UUID) -> None:
        self.clock.advance(timedelta(minutes=1))
        self.services.customers.activate(customer_id, link_version=1)
        self.services.customers.complete_import(customer_id, by=IMPORTER)

    def current(self) -> None:
        assert self.services.lists.wait_until_current(5.0)

    def close(self) -> None:
        self.services.close()


def dump(source: Services | Views) -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows, sorted and normalised (JSON parsed, values as text)."""
    db = source.views.db if isinstance(source, Services) else source.db
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in VIEW_TABLES:
        rows = db.rows(f"SELECT * FROM {table.name}")
        tables[table.name] = sorted(
            tuple(_plain(db.loads(v) if n in JSON_COLUMNS else v) for n, v in r.items())
            for r in rows
        )
    return tables


JSON_COLUMNS = {"addons", "import_errors", "event_log", "state"}


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)
