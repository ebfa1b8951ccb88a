"""The list queries over the views: keyset pages, search, filters and visibility.

Pending customers are ordered by (created_at, id), onboarded ones by (onboarded_at, id);
both keys never change, so paging is stable while rows change. A cursor is opaque
base64url JSON holding the list's name and the last row's key.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.customer import Customer
from domain.errors import ValidationFailed
from domain.rules import check_instant
from domain.text import check_text
from domain.values import Actor, ActorKind, Status
from projections.customer_rows import customer_from_row
from projections.schema import CUSTOMERS, DEADLINES, PENDING
from projections.sql import Database

READ_ALL = frozenset({ActorKind.AUDITOR, ActorKind.ADMIN})
# The state as JSON text (not jsonb decoded to dicts by the driver): pydantic parses
# and validates text in one pass, twice as fast as json.loads and then validating.
COLUMNS = "id, version, created_at, modified_at, {state} AS state"


@dataclass(frozen=True)
class PageOf:
    items: list[Customer]
    next_cursor: str | None


@dataclass
class Query:
    table: str
    key: str
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)

    def sql(self, scope: str, limit: int, dialect: str) -> tuple[str, list[Any]]:
        where = " AND ".join([scope, *self.where]) if self.where else scope
        columns = COLUMNS.format(state="state::text" if dialect == "postgres" else "state")
        text = (
            f"SELECT {columns}, {self.key} AS k FROM {self.table} WHERE {where} "
            f"ORDER BY {self.key}, id LIMIT {int(limit)}"
        )
        return text, list(self.params)


class CustomerReader:
    def __init__(self, db: Database) -> None:
        self.db = db

    def pending_page(  # noqa: PLR0913
        self,
        *,
        viewer: Actor,
        q: str | None,
        limit: int,
        cursor: str | None,
        owner: UUID | None = None,
        distributor: UUID | None = None,
    ) -> PageOf:
        query = Query(PENDING.name, "created_at")
        return self._page(
            query=query,
            name="pending",
            viewer=viewer,
            q=q,
            limit=limit,
            cursor=cursor,
            owner=owner,
            distributor=distributor,
        )

    def onboarded_page(  # noqa: PLR0913
        self,
        *,
        viewer: Actor,
        status: Status | None,
        q: str | None,
        limit: int,
        cursor: str | None,
        owner: UUID | None = None,
        distributor: UUID | None = None,
    ) -> PageOf:
        query = Query(CUSTOMERS.name, "onboarded_at")
        if status is not None:
            query.add("status = ?", status.value)
        return self._page(
            query=query,
            name="customers",
            viewer=viewer,
            q=q,
            limit=limit,
            cursor=cursor,
            owner=owner,
            distributor=distributor,
        )

    def due(self, now: datetime, limit: int) -> list[tuple[UUID, str, datetime]]:
        rows = self.db.rows(
            f"SELECT customer_id, kind, due_at FROM {DEADLINES.name} WHERE due_at <= ? "
            f"ORDER BY due_at, customer_id, kind LIMIT {int(limit)}",
            [now],
        )
        return [
            (UUID(str(r["customer_id"])), r["kind"], self.db.instant(r["due_at"])) for r in rows
        ]

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        """The earliest due instant in ``(after, until]`` (an index range scan)."""
        rows = self.db.rows(
            f"SELECT due_at FROM {DEADLINES.name} WHERE due_at > ? AND due_at <= ? "
            "ORDER BY due_at LIMIT 1",
            [after, until],
        )
        return self.db.instant(rows[0]["due_at"]) if rows else None

    def count_due(self, now: datetime) -> int:
        rows = self.db.rows(f"SELECT COUNT(*) AS n FROM {DEADLINES.name} WHERE due_at <= ?", [now])
        return int(rows[0]["n"])

    # -------------------------------------------------------------- plumbing
    def _page(  # noqa: PLR0913
        self,
        *,
        query: Query,
        name: str,
        viewer: Actor,
        q: str | None,
        limit: int,
        cursor: str | None,
        owner: UUID | None,
        distributor: UUID | None,
    ) -> PageOf:
        if limit < 1:
            raise ValidationFailed("limit", "must be at least 1")
        if q:
            check_text(q, "q")
            query.add("name_lower LIKE ? ESCAPE '!'", f"%{_escape(q.strip().lower())}%")
        if owner is not None:
            query.add("partner_id = ?", owner)
        if distributor is not None:
            query.add("distributor_id = ?", distributor)
        if cursor is not None:
            at, last_id = decode_cursor(cursor, name)
            query.add(f"({query.key}, id) > (?, ?)", at, last_id)
        rows = self._select(query, viewer, limit + 1)
        items = [customer_from_row(self.db, r) for r in rows[:limit]]
        more = len(rows) > limit
        last = rows[limit - 1] if more else None
        next_cursor = (
            encode_cursor(name, self.db.instant(last["k"]), UUID(str(last["id"]))) if last else None
        )
        return PageOf(items, next_cursor)

    def _select(self, query: Query, viewer: Actor, limit: int) -> list[dict[str, Any]]:
        if viewer.kind in READ_ALL:
            return self.db.rows(*query.sql("1 = 1", limit, self.db.dialect))
        viewer_id = _uuid(viewer.id)
        if viewer_id is None or not viewer.is_partner:
            return []
        owned_sql, owned = query.sql("partner_id = ?", limit, self.db.dialect)
        rows = self.db.rows(owned_sql, [viewer_id, *owned])
        if viewer.kind is ActorKind.DISTRIBUTOR:
            # Its MSPs' customers: a second ordered index scan, merged here.
            theirs_sql, theirs = query.sql(
                "distributor_id = ? AND partner_id <> ?", limit, self.db.dialect
            )
            rows += self.db.rows(theirs_sql, [viewer_id, viewer_id, *theirs])
            rows.sort(key=lambda r: (self.db.instant(r["k"]), str(r["id"])))
        return rows[:limit]


def encode_cursor(name: str, at: datetime, last_id: UUID) -> str:
    raw = json.dumps({"v": name, "k": at.isoformat(), "id": str(last_id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, name: str) -> tuple[datetime, UUID]:
    """The key a cursor holds; anything but a cursor of this list is ``validation``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError too
        data = None
    match data:
        case {"v": str(v), "k": str(k), "id": str(id_)} if v == name:
            try:
                return check_instant(datetime.fromisoformat(k), "cursor"), UUID(id_)
            except (ValueError, ValidationFailed):
                pass
    raise ValidationFailed("cursor", "is not a cursor of this list")


def _escape(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
