"""The test clock kept in the database, so every process sees the same time.

It starts at the wall-clock time when first created and only moves forward.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from application.clock import SettableClock
from projections.sql import Database

SELECT = "SELECT now FROM test_clock WHERE id = 1"
SELECT_FOR_UPDATE = SELECT + " FOR UPDATE"
CREATE = "CREATE TABLE IF NOT EXISTS test_clock (id INTEGER PRIMARY KEY, now {instant} NOT NULL)"


class PersistedTestClock(SettableClock):
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.schema_transaction() as tx:
            tx.execute(CREATE)
            tx.execute(
                "INSERT INTO test_clock (id, now) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
                [datetime.now(UTC).replace(microsecond=0)],
            )

    def now(self) -> datetime:
        [row] = self.db.rows(SELECT)
        return self.db.instant(row["now"])

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the test clock only moves forward")
        return self._move(lambda now: now + delta)

    def advance_to(self, instant: datetime) -> datetime:
        """Move forward to ``instant``; stay if another process moved it further already."""
        return self._move(lambda now: max(now, instant.astimezone(UTC)))

    def _move(self, to: Callable[[datetime], datetime]) -> datetime:
        with self.db.transaction() as tx:  # SQLite: BEGIN IMMEDIATE holds the write lock
            [row] = tx.rows(SELECT_FOR_UPDATE if self.db.dialect == "postgres" else SELECT)
            moved = to(self.db.instant(row["now"]))
            tx.execute("UPDATE test_clock SET now = ? WHERE id = 1", [moved])
        return moved
