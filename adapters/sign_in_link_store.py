"""Sign-in links in the events' database (``console_sign_in_links``), through the views'
SQL surface. A row is keyed by the SHA-256 of the link's token; the token, which only
the emailed link carries, is never stored."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.sign_in_links import Purpose, SignInLink
from projections.sql import Database, Row

CREATE = (
    "CREATE TABLE IF NOT EXISTS console_sign_in_links ("
    " token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, purpose TEXT NOT NULL,"
    " created_at {instant} NOT NULL, expires_at {instant} NOT NULL)"
)
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS console_sign_in_links_expiry ON console_sign_in_links (expires_at)"
)
INSERT = (
    "INSERT INTO console_sign_in_links (token_hash, user_id, purpose, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?)"
)
SELECT = "SELECT * FROM console_sign_in_links WHERE token_hash = ?"
DELETE = "DELETE FROM console_sign_in_links WHERE token_hash = ?"
PURGE = (  # a batch at a time: the background work comes back every few seconds
    "DELETE FROM console_sign_in_links WHERE token_hash IN (SELECT token_hash FROM"
    " console_sign_in_links WHERE expires_at <= ? LIMIT 500)"
)


class SqlSignInLinkRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create_schema(self) -> None:
        with self.db.schema_transaction() as tx:
            tx.execute(CREATE)
            tx.execute(CREATE_INDEX)

    def insert(self, link: SignInLink) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                INSERT,
                [
                    link.token_hash,
                    str(link.user_id),
                    link.purpose.value,
                    link.created_at,
                    link.expires_at,
                ],
            )

    def get(self, token_hash: str) -> SignInLink | None:
        rows = self.db.rows(SELECT, [token_hash])
        return self._link(rows[0]) if rows else None

    def take(self, token_hash: str) -> SignInLink | None:
        """Only the transaction whose DELETE removed the row has the link: of two at
        once, the other deletes nothing."""
        with self.db.transaction() as tx:
            rows = tx.rows(SELECT, [token_hash])
            if not rows or tx.execute(DELETE, [token_hash]) != 1:
                return None
        return self._link(rows[0])

    def purge(self, now: datetime) -> int:
        with self.db.transaction() as tx:
            return tx.execute(PURGE, [now])

    def _link(self, row: Row) -> SignInLink:
        return SignInLink(
            token_hash=row["token_hash"],
            user_id=UUID(row["user_id"]),
            purpose=Purpose(row["purpose"]),
            created_at=self.db.instant(row["created_at"]),
            expires_at=self.db.instant(row["expires_at"]),
        )
