"""Console sessions in the events' database (``console_sessions``), through the views'
SQL surface. A row is keyed by the SHA-256 of the session token: the token itself, which
the browser's cookie carries, is never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.console_sessions import ABSOLUTE, IDLE, Session
from domain.values import Actor, ActorKind
from projections.sql import Database, Row

CREATE = (
    "CREATE TABLE IF NOT EXISTS console_sessions ("
    " token_hash TEXT PRIMARY KEY, actor_kind TEXT NOT NULL, actor_id TEXT NOT NULL,"
    " csrf_token TEXT NOT NULL, key_id TEXT NOT NULL, key_hash TEXT NOT NULL,"
    " created_at {instant} NOT NULL, last_seen_at {instant} NOT NULL, user_id TEXT,"
    " position BIGINT NOT NULL DEFAULT 0)"
)
# Tables made before people signed in (with keys only) gain the person's column.
ADD_USER_ID = {
    "postgres": "ALTER TABLE console_sessions ADD COLUMN IF NOT EXISTS user_id TEXT",
    "sqlite": "ALTER TABLE console_sessions ADD COLUMN user_id TEXT",
}
# And those made before the console remembered its writes' position, the position's.
ADD_POSITION = {
    "postgres": "ALTER TABLE console_sessions"
    " ADD COLUMN IF NOT EXISTS position BIGINT NOT NULL DEFAULT 0",
    "sqlite": "ALTER TABLE console_sessions ADD COLUMN position BIGINT NOT NULL DEFAULT 0",
}
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS console_sessions_last_seen ON console_sessions (last_seen_at)"
)
INSERT = (
    "INSERT INTO console_sessions (token_hash, actor_kind, actor_id, csrf_token, key_id,"
    " key_hash, created_at, last_seen_at, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT = "SELECT * FROM console_sessions WHERE token_hash = ?"
# Never moved backwards: two requests of one session may finish out of order.
TOUCH = "UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?"
# The newest position the session's writes reached; never moved backwards.
REACHED = "UPDATE console_sessions SET position = ? WHERE token_hash = ? AND position < ?"
DELETE = "DELETE FROM console_sessions WHERE token_hash = ?"
PURGE = (  # a batch at a time: the background work comes back every few seconds
    "DELETE FROM console_sessions WHERE token_hash IN (SELECT token_hash FROM console_sessions"
    " WHERE created_at <= ? OR last_seen_at <= ? LIMIT 500)"
)


@dataclass(frozen=True)
class SqlSessionRecords:
    db: Database

    def create_schema(self) -> None:
        with self.db.schema_transaction() as tx:
            tx.execute(CREATE)
            tx.execute(CREATE_INDEX)
            columns = (
                []
                if self.db.dialect == "postgres"
                else [r["name"] for r in tx.rows("PRAGMA table_info(console_sessions)")]
            )
            if "user_id" not in columns:
                tx.execute(ADD_USER_ID[self.db.dialect])
            if "position" not in columns:
                tx.execute(ADD_POSITION[self.db.dialect])

    def insert(self, session: Session) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                INSERT,
                [
                    session.token_hash,
                    session.actor.kind.value,
                    session.actor.id,
                    session.csrf_token,
                    session.key_id,
                    session.key_hash,
                    session.created_at,
                    session.last_seen_at,
                    None if session.actor.user_id is None else str(session.actor.user_id),
                ],
            )

    def get(self, token_hash: str) -> Session | None:
        rows = self.db.rows(SELECT, [token_hash])
        return self._session(rows[0]) if rows else None

    def touch(self, token_hash: str, at: datetime) -> None:
        with self.db.transaction() as tx:
            tx.execute(TOUCH, [at, token_hash, at])

    def reached(self, token_hash: str, position: int) -> None:
        with self.db.transaction() as tx:
            tx.execute(REACHED, [position, token_hash, position])

    def delete(self, token_hash: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(DELETE, [token_hash])

    def purge(self, now: datetime) -> int:
        with self.db.transaction() as tx:
            return tx.execute(PURGE, [now - ABSOLUTE, now - IDLE])

    def _session(self, row: Row) -> Session:
        return Session(
            token_hash=row["token_hash"],
            actor=Actor(
                kind=ActorKind(row["actor_kind"]),
                id=row["actor_id"],
                user_id=UUID(row["user_id"]) if row["user_id"] else None,
            ),
            csrf_token=row["csrf_token"],
            key_id=row["key_id"],
            key_hash=row["key_hash"],
            created_at=self.db.instant(row["created_at"]),
            last_seen_at=self.db.instant(row["last_seen_at"]),
            position=int(row["position"]),
        )
