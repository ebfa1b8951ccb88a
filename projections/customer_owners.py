"""Who owns each customer (its partner, and its distributor if any), as of a view's
position in the log: the table shape, the record and its reads and writes, shared by
the views that route customer events by owner (webhooks, the events feed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.errors import DomainError
from projections.projection import in_list
from projections.schema import Table, column_list
from projections.sql import Tx


@dataclass
class Owner:
    id: UUID
    version: int
    partner_id: UUID
    distributor_id: UUID | None


def owners_table(name: str) -> Table:
    """A view's table of customer owners, named ``name``."""
    return Table(
        name=name,
        columns=column_list(
            """
            id              {uuid} NOT NULL
            version         INTEGER NOT NULL
            partner_id      {uuid} NOT NULL
            distributor_id  {uuid}
            """
        ),
        primary_key=("id",),
    )


def evolve_owner(record: Owner | None, event: DomainEvent, view: str) -> Owner:
    """``record`` after a customer ``event`` (``Customer.Created`` makes it)."""
    v = event.originator_version
    if isinstance(event, Customer.Created):
        return Owner(event.originator_id, v, event.partner_id, event.distributor_id)
    if record is None:
        raise DomainError(f"{view} has no customer {event.originator_id} ({v})")
    return replace(record, version=v)


def fetch_owners(tx: Tx, table: Table, ids: Sequence[UUID]) -> Callable[[], dict[UUID, Owner]]:
    """The owners of the customers ``ids``, sent now, read when called (``Tx.query``)."""
    if not ids:
        return dict
    answer = tx.query(f"SELECT * FROM {table.name} WHERE id IN {in_list(ids)}", ids)

    def owners() -> dict[UUID, Owner]:
        found = [
            Owner(
                as_uuid(r["id"]),
                int(r["version"]),
                as_uuid(r["partner_id"]),
                None if r["distributor_id"] is None else as_uuid(r["distributor_id"]),
            )
            for r in answer()
        ]
        return {o.id: o for o in found}

    return owners


def write_owners(
    tx: Tx, table: Table, owners: Sequence[Owner], *, suffix: str = "", fresh: bool = False
) -> None:
    rows = [(o.id, o.version, o.partner_id, o.distributor_id) for o in owners]
    table.write(tx, rows, suffix=suffix, fresh=fresh)


def as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
