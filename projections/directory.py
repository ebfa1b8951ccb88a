"""Partners and API keys as lists, from the partners and keys views.

Each list first waits, bounded, for the views to reflect the writes answered before it
(as the customer lists do)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.authorization import partners_listed_for
from application.directory import Directory, KeyRow, PartnerRow
from application.dto import PartnerDTO
from application.lists import Page
from domain.errors import ValidationFailed
from domain.values import Actor
from projections.projection import in_list
from projections.reader import decode_cursor, encode_cursor
from projections.schema import API_KEYS, CUSTOMERS, KEY_HOLDERS, PARTNERS, PENDING
from projections.sql import Database

FRESHNESS_S = 2.0
SERVICE_KINDS = ("importer", "auditor")
KEYS = (
    f"SELECT h.id AS holder_id, h.kind, h.name, k.key_id, k.issued_at"
    f" FROM {API_KEYS.name} k JOIN {KEY_HOLDERS.name} h ON h.id = k.holder_id"
    f" WHERE k.revoked_at IS NULL"
)


class ViewsDirectory(Directory):
    def __init__(self, db: Database, wait_until_current: Callable[[float], bool]) -> None:
        self.db = db
        self._wait = wait_until_current

    def partners(self, viewer: Actor, limit: int, cursor: str | None) -> Page[PartnerRow]:
        if limit < 1:
            raise ValidationFailed("limit", "must be at least 1")
        self._wait(FRESHNESS_S)
        where, params = _partners_visible_to(viewer)
        if cursor is not None:
            at, last_id = decode_cursor(cursor, "partners")
            where, params = f"{where} AND (registered_at, id) > (?, ?)", [*params, at, last_id]
        rows = self.db.rows(
            f"SELECT * FROM {PARTNERS.name} WHERE {where}"
            f" ORDER BY registered_at, id LIMIT {int(limit) + 1}",
            params,
        )
        partners = [
            PartnerDTO.model_validate({**r, "created_at": self.db.instant(r["registered_at"])})
            for r in rows[:limit]
        ]
        counts = self._customer_counts([p.id for p in partners])
        last = partners[-1] if len(rows) > limit else None
        next_cursor = encode_cursor("partners", last.created_at, last.id) if last else None
        return Page([PartnerRow(p, counts.get(p.id, 0)) for p in partners], next_cursor)

    def keys_of(self, holder_id: UUID) -> list[KeyRow]:
        self._wait(FRESHNESS_S)
        return self._keys(f"{KEYS} AND h.id = ?", [holder_id])

    def service_keys(self, key_id: str | None = None) -> list[KeyRow]:
        self._wait(FRESHNESS_S)
        sql, params = f"{KEYS} AND h.kind IN {in_list(SERVICE_KINDS)}", list(SERVICE_KINDS)
        if key_id is not None:
            sql, params = f"{sql} AND k.key_id = ?", [*params, key_id]
        return self._keys(sql, params)

    def _keys(self, sql: str, params: list[Any]) -> list[KeyRow]:
        rows = self.db.rows(f"{sql} ORDER BY k.issued_at, k.key_id", params)
        return [
            KeyRow(
                holder_id=UUID(str(r["holder_id"])),
                holder_kind=r["kind"],
                holder_name=r["name"],
                key_id=r["key_id"],
                issued_at=self.db.instant(r["issued_at"]),
            )
            for r in rows
        ]

    def _customer_counts(self, ids: list[UUID]) -> dict[UUID, int]:
        if not ids:
            return {}
        counts: dict[UUID, int] = {}
        for table in (PENDING.name, CUSTOMERS.name):
            for r in self.db.rows(
                f"SELECT partner_id, COUNT(*) AS n FROM {table}"
                f" WHERE partner_id IN {in_list(ids)} GROUP BY partner_id",
                ids,
            ):
                partner = UUID(str(r["partner_id"]))
                counts[partner] = counts.get(partner, 0) + int(r["n"])
        return counts


def _partners_visible_to(viewer: Actor) -> tuple[str, list[Any]]:
    """``partners_listed_for``'s rule as a WHERE clause."""
    visible = partners_listed_for(viewer)
    if visible.everything:
        return "1 = 1", []
    clauses: list[tuple[str, list[Any]]] = []
    if visible.itself is not None:
        clauses.append(("id = ?", [visible.itself]))
    if visible.msps_of is not None:
        clauses.append(("distributor_id = ?", [visible.msps_of]))
    if not clauses:
        return "1 = 0", []
    return " OR ".join(c for c, _ in clauses), [p for _, params in clauses for p in params]
