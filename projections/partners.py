"""The partners view: who each partner is, its kind, status and distributor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.errors import DomainError
from domain.partner import Partner
from projections.keepable import keepable_text
from projections.projection import RowProjection, in_list
from projections.schema import PARTNERS
from projections.sql import Tx


@dataclass
class PartnerRecord:
    id: UUID
    version: int
    name: str
    kind: str
    status: str
    distributor_id: UUID | None
    registered_at: datetime


class PartnerViews(RowProjection[PartnerRecord]):
    name = "partners"
    tables = (PARTNERS,)

    def handles(self, event: DomainEvent) -> bool:
        return type(event).TOPIC.startswith("Partner.")

    def evolve(self, record: PartnerRecord | None, event: DomainEvent) -> PartnerRecord:
        if isinstance(event, Partner.Registered):
            return PartnerRecord(
                id=event.originator_id,
                version=event.originator_version,
                name=keepable_text(event.name),
                kind=event.kind.value,
                status=event.status.value,
                distributor_id=event.distributor_id,
                registered_at=event.timestamp,
            )
        if record is None:
            raise DomainError(f"view has no partner {event.originator_id}")
        if isinstance(event, Partner.StatusChanged):
            record.status = event.status.value
        record.version = event.originator_version
        return record

    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, PartnerRecord]]:
        answer = tx.query(f"SELECT * FROM {PARTNERS.name} WHERE id IN {in_list(ids)}", ids)

        def records() -> dict[UUID, PartnerRecord]:
            found = [
                PartnerRecord(
                    id=UUID(str(r["id"])),
                    version=int(r["version"]),
                    name=r["name"],
                    kind=r["kind"],
                    status=r["status"],
                    distributor_id=UUID(str(r["distributor_id"])) if r["distributor_id"] else None,
                    registered_at=tx.db.instant(r["registered_at"]),
                )
                for r in answer()
            ]
            return {r.id: r for r in found}

        return records
