"""The application's list ports (application/lists.py) served by the projections."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from adapters.work_claims import WorkClaims
from application.lists import CustomerLists, DueWork, Page
from domain.customer import Deadline
from domain.values import Actor, Status
from projections.views import Views


class ProjectedLists(CustomerLists, DueWork):
    def __init__(self, views: Views, claims: WorkClaims) -> None:
        self.views = views
        self.claims = claims

    def pending(  # noqa: PLR0913
        self,
        *,
        viewer: Actor,
        q: str | None,
        limit: int,
        cursor: str | None,
        owner: UUID | None = None,
        distributor: UUID | None = None,
    ) -> Page:
        page = self.views.reader.pending_page(
            viewer=viewer, q=q, limit=limit, cursor=cursor, owner=owner, distributor=distributor
        )
        return Page(page.items, page.next_cursor)

    def onboarded(  # noqa: PLR0913
        self,
        *,
        viewer: Actor,
        status: Status | None,
        q: str | None,
        limit: int,
        cursor: str | None,
        owner: UUID | None = None,
        distributor: UUID | None = None,
    ) -> Page:
        page = self.views.reader.onboarded_page(
            viewer=viewer,
            status=status,
            q=q,
            limit=limit,
            cursor=cursor,
            owner=owner,
            distributor=distributor,
        )
        return Page(page.items, page.next_cursor)

    def wait_until_current(self, timeout: float = 2.0) -> bool:
        """Bounded by ``timeout`` seconds (2 s by default); False when it is hit."""
        return self.views.wait_until_current(timeout)

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        return self.claims.unclaimed_due(now, limit)

    def outstanding(self, now: datetime) -> bool:
        return self.claims.outstanding(now)

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        return self.views.reader.next_due(after, until)

    def claim(self, deadline: Deadline, owner: str, until: float) -> bool:
        return self.claims.claim(deadline, owner, until)

    def set_aside(self, deadline: Deadline, until: float) -> None:
        self.claims.set_aside(deadline, until)
