"""When each API key was last used (``api_key_uses``), through the views' SQL surface:
one row a key, moved forward only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from adapters.sql import create_tables
from projections.projection import in_list
from projections.sql import Database

CREATE = (
    "CREATE TABLE IF NOT EXISTS api_key_uses ("
    " holder_id {uuid} NOT NULL, key_id TEXT NOT NULL, last_used_at {instant} NOT NULL,"
    " PRIMARY KEY (holder_id, key_id))"
)
RECORD = (
    "INSERT INTO api_key_uses (holder_id, key_id, last_used_at) VALUES (?, ?, ?)"
    " ON CONFLICT (holder_id, key_id) DO UPDATE SET last_used_at = excluded.last_used_at"
    " WHERE api_key_uses.last_used_at < excluded.last_used_at"
)


@dataclass(frozen=True)
class SqlKeyUses:
    db: Database

    def create_schema(self) -> None:
        create_tables(self.db, CREATE)

    def record(self, holder_id: UUID, key_id: str, at: datetime) -> None:
        with self.db.transaction() as tx:
            tx.execute(RECORD, [holder_id, key_id, at])

    def last_used(self, holder_ids: Sequence[UUID]) -> dict[tuple[UUID, str], datetime]:
        if not holder_ids:
            return {}
        rows = self.db.rows(
            f"SELECT * FROM api_key_uses WHERE holder_id IN {in_list(holder_ids)}",  # noqa: S608 - marks only
            holder_ids,
        )
        return {
            (UUID(str(r["holder_id"])), r["key_id"]): self.db.instant(r["last_used_at"])
            for r in rows
        }
