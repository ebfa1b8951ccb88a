"""A test double of the CustomerLists port: it reads the aggregates, not the views.

Honest but slow (every call loads every customer); the projections implement the port
for real. It is current as soon as a write returns, so ``wait_until_current`` is True.
"""

from __future__ import annotations

from uuid import UUID

from application.authorization import can_see
from application.lists import Page
from application.store import EventStore
from domain.customer import Customer
from domain.errors import ValidationFailed
from domain.values import Actor, Stage, Status


class AggregateLists:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    def pending(self, *, viewer: Actor, q: str | None, limit: int, cursor: str | None) -> Page:
        return self._page(viewer, Stage.PENDING, None, q, limit, cursor)

    def onboarded(
        self,
        *,
        viewer: Actor,
        status: Status | None,
        q: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page:
        return self._page(viewer, Stage.ONBOARDED, status, q, limit, cursor)

    def wait_until_current(self, timeout: float) -> bool:
        return True

    def _page(
        self,
        viewer: Actor,
        stage: Stage,
        status: Status | None,
        q: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page:
        if cursor is not None and not cursor.isdigit():
            raise ValidationFailed("cursor", "is not a cursor of this list")
        start = int(cursor or 0)
        rows = [
            c
            for c in self._customers()
            if can_see(c, viewer)
            and c.state.stage is stage
            and (status is None or c.state.status is status)
            and (q is None or q.lower() in c.state.organization_name.lower())
        ]
        items = rows[start : start + limit]
        more = start + limit < len(rows)
        return Page(items, str(start + limit) if more else None)

    def _customers(self) -> list[Customer]:
        ids: list[UUID] = []
        for n in self.store.recorder.select_notifications(1, 1_000_000):
            if n.topic == "Customer.Created":
                ids.append(n.originator_id)  # type: ignore[arg-type]
        customers = [self.store.repository.get(i) for i in ids]
        return [c for c in customers if isinstance(c, Customer)]
