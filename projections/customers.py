"""The customer views: Pending customers, Customers, and the deadlines of each customer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.errors import DomainError
from domain.values import Policy, Stage
from projections.customer_rows import (
    Tracked,
    customer_row,
    deadline_rows,
    pending_row,
    tracked_from_row,
)
from projections.projection import Projection, in_list
from projections.schema import CUSTOMERS, DEADLINES, PENDING
from projections.sql import Tx

CHUNK = 500
HANDLED = (Customer.Event, Customer.Created)  # a tuple: isinstance is quicker than with a union


class CustomerViews(Projection[Tracked]):
    name = "customers"
    tables = (PENDING, CUSTOMERS, DEADLINES)

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def handles(self, event: DomainEvent) -> bool:
        return isinstance(event, HANDLED)

    def version(self, record: Tracked) -> int:
        return record.customer.version

    def evolve(self, record: Tracked | None, event: DomainEvent) -> Tracked:
        if record is None:
            if not isinstance(event, Customer.Created):
                raise DomainError(
                    f"view has no customer {event.originator_id} for its "
                    f"event {event.originator_version}"
                )
            return Tracked(event.mutate(None))
        record.customer = event.mutate(record.customer)
        if isinstance(event, Customer.TrialExtended):
            record.extensions += 1
        return record

    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, Tracked]]:
        answers = [
            tx.query(
                "SELECT id, version, created_at, modified_at, state, 0 AS extensions "
                f"FROM {PENDING.name} WHERE id IN {in_list(chunk)} UNION ALL "
                "SELECT id, version, created_at, modified_at, state, extensions "
                f"FROM {CUSTOMERS.name} WHERE id IN {in_list(chunk)}",
                [*chunk, *chunk],
            )
            for chunk in (ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK))
        ]

        def records() -> dict[UUID, Tracked]:
            found = (tracked_from_row(tx.db, row) for answer in answers for row in answer())
            return {record.customer.id: record for record in found}

        return records

    def write(
        self, tx: Tx, records: Sequence[Tracked], *, suffix: str = "", fresh: bool = False
    ) -> None:
        pending = [r for r in records if r.customer.state.stage is Stage.PENDING]
        onboarded = [r for r in records if r.customer.state.stage is Stage.ONBOARDED]
        deadlines = [row for r in records for row in deadline_rows(r.customer, self.policy)]
        if fresh:
            tx.insert_many(
                PENDING.name + suffix,
                PENDING.column_names,
                [pending_row(r.customer) for r in pending],
            )
            tx.insert_many(
                CUSTOMERS.name + suffix,
                CUSTOMERS.column_names,
                [customer_row(r) for r in onboarded],
            )
            tx.insert_many(DEADLINES.name + suffix, DEADLINES.column_names, deadlines)
            return
        ids = [(r.customer.id,) for r in records]
        tx.executemany(f"DELETE FROM {DEADLINES.name} WHERE customer_id = ?", ids)
        tx.executemany(
            f"DELETE FROM {PENDING.name} WHERE id = ?", [(r.customer.id,) for r in onboarded]
        )
        tx.executemany(PENDING.upsert(), [pending_row(r.customer) for r in pending])
        tx.executemany(CUSTOMERS.upsert(), [customer_row(r) for r in onboarded])
        tx.executemany(DEADLINES.insert(), deadlines)
