"""The list queries over the views: keyset pages, search, filters and visibility.

Pending customers are ordered by (created_at, id), onboarded ones by (onboarded_at, id);
both keys never change, so paging is stable while rows change. A cursor is opaque
base64url JSON holding the list's name and the last row's key. Who sees which customer
is the application's rule (``visible_to``); ``scopes`` says it in SQL.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from application.authorization import Visibility, visible_to
from application.lists import CustomerLists, ListQuery, Page
from domain.customer import Customer
from domain.errors import ValidationFailed
from domain.rules import check_instant
from domain.text import check_text
from domain.values import Status
from projections.customer_rows import customer_from_row
from projections.schema import CUSTOMERS, DEADLINES, PENDING
from projections.sql import Database

# The state as JSON text (not jsonb decoded to dicts by the driver): pydantic parses
# and validates text in one pass, twice as fast as json.loads and then validating.
COLUMNS = "id, version, created_at, modified_at, {state} AS state"


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


def scopes(visible: Visibility) -> list[tuple[str, list[Any]]]:
    """The WHERE clauses of the rows ``visible`` admits, one for each ordered index scan
    (none when it admits nothing); no row matches two of them."""
    if visible.everything:
        return [("1 = 1", [])]
    found: list[tuple[str, list[Any]]] = []
    if visible.owner is not None:
        found.append(("partner_id = ?", [visible.owner]))
    if visible.distributor is not None:  # its MSPs' customers, but for its own (above)
        clause, params = "distributor_id = ?", [visible.distributor]
        if visible.owner is not None:
            clause, params = f"{clause} AND partner_id <> ?", [*params, visible.owner]
        found.append((clause, params))
    return found


class CustomerReader(CustomerLists):
    def __init__(
        self,
        db: Database,
        wait_until: Callable[[int, float], bool],
        wait_until_current: Callable[[float], bool],
    ) -> None:
        self.db = db
        self._wait_until = wait_until
        self._wait_until_current = wait_until_current

    def pending(self, query: ListQuery) -> Page[Customer]:
        return self._page(Query(PENDING.name, "created_at"), "pending", query)

    def onboarded(self, query: ListQuery, status: Status | None = None) -> Page[Customer]:
        select = Query(CUSTOMERS.name, "onboarded_at")
        if status is not None:
            select.add("status = ?", status.value)
        return self._page(select, "customers", query)

    def reaching(self, position: int, timeout: float) -> CustomerLists:
        self._wait_until(position, timeout)
        return self

    def wait_until(self, position: int, timeout: float) -> bool:
        return self._wait_until(position, timeout)

    def wait_until_current(self, timeout: float) -> bool:
        return self._wait_until_current(timeout)

    def count_due(self, now: datetime) -> int:
        rows = self.db.rows(f"SELECT COUNT(*) AS n FROM {DEADLINES.name} WHERE due_at <= ?", [now])
        return int(rows[0]["n"])

    # -------------------------------------------------------------- plumbing
    def _page(self, select: Query, name: str, query: ListQuery) -> Page[Customer]:
        limit = query.limit
        if limit < 1:
            raise ValidationFailed("limit", "must be at least 1")
        if query.q:
            check_text(query.q, "q")
            select.add("name_lower LIKE ? ESCAPE '!'", f"%{_escape(query.q.strip().lower())}%")
        if query.owner is not None:
            select.add("partner_id = ?", query.owner)
        if query.distributor is not None:
            select.add("distributor_id = ?", query.distributor)
        if query.cursor is not None:
            at, last_id = decode_cursor(query.cursor, name)
            select.add(f"({select.key}, id) > (?, ?)", at, last_id)
        rows = self._select(select, visible_to(query.viewer), limit + 1)
        items = [customer_from_row(self.db, r) for r in rows[:limit]]
        last = rows[limit - 1] if len(rows) > limit else None
        next_cursor = (
            encode_cursor(name, self.db.instant(last["k"]), UUID(str(last["id"]))) if last else None
        )
        return Page(items, next_cursor)

    def _select(self, select: Query, visible: Visibility, limit: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        found = scopes(visible)
        for scope, params in found:
            text, more = select.sql(scope, limit, self.db.dialect)
            rows += self.db.rows(text, [*params, *more])
        if len(found) > 1:  # ordered index scans, merged here
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
