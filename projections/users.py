"""The users view: which partner each user belongs to, to list a partner's users."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.errors import DomainError
from domain.user import User
from projections.projection import RowProjection, in_list
from projections.schema import USERS
from projections.sql import Database, Tx

FRESHNESS_S = 2.0


@dataclass
class UserRecord:
    id: UUID
    version: int
    partner_id: UUID
    email: str


class UserViews(RowProjection[UserRecord]):
    name = "users"
    tables = (USERS,)

    def handles(self, event: DomainEvent) -> bool:
        return type(event).TOPIC.startswith("User.")

    def evolve(self, record: UserRecord | None, event: DomainEvent) -> UserRecord:
        if isinstance(event, User.Invited):  # a removed user may be invited elsewhere
            return UserRecord(
                event.originator_id, event.originator_version, event.partner_id, event.email
            )
        if record is None:
            raise DomainError(f"view has no user {event.originator_id}")
        record.version = event.originator_version
        return record

    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, UserRecord]]:
        answer = tx.query(f"SELECT * FROM {USERS.name} WHERE id IN {in_list(ids)}", ids)
        return lambda: {
            UUID(str(r["id"])): UserRecord(
                UUID(str(r["id"])), int(r["version"]), UUID(str(r["partner_id"])), r["email"]
            )
            for r in answer()
        }


@dataclass(frozen=True)
class UserDirectory:
    """The ids of a partner's users (removed ones too), by address."""

    db: Database
    wait_until_current: Callable[[float], bool]

    def of_partner(self, partner_id: UUID) -> list[UUID]:
        self.wait_until_current(FRESHNESS_S)
        rows = self.db.rows(
            f"SELECT id FROM {USERS.name} WHERE partner_id = ? ORDER BY email", [partner_id]
        )
        return [UUID(str(r["id"])) for r in rows]
