"""The stored events history by history, for rebuilds (projections/rebuild.py).

The library's events table has its primary key on (originator id, version), so a page
ordered that way is an index range scan from the last key read (a keyset page), on
PostgreSQL and SQLite alike; the notification id bounds it to the events stored when the
rebuild started. The in-memory store (tests) has no table: its notification log is read
and sorted whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from adapters.data_keys import DataKeys
from projections.rebuild import Histories, Key
from projections.sql import Database

LOG_PAGE = 5_000


def histories_of(db: Database, recorder: ApplicationRecorder) -> Histories:
    # A page's personal events load their data keys in one query (adapters/data_keys.py).
    keys: DataKeys | None = getattr(recorder, "data_keys", None)
    topics: frozenset[str] = getattr(recorder, "personal_topics", frozenset())
    if isinstance(recorder, PostgresApplicationRecorder):
        schema = recorder.datastore.schema
        table = f'"{schema}"."{recorder.events_table_name}"'
        return TableHistories(db, table, "notification_id", lambda id_: id_, keys, topics)
    if isinstance(recorder, SQLiteApplicationRecorder):  # ids kept as hex text
        return TableHistories(
            db, recorder.events_table_name, "rowid", lambda id_: id_.hex, keys, topics
        )
    return LogHistories(recorder)


class TableHistories:
    def __init__(  # noqa: PLR0913, PLR0917
        self,
        db: Database,
        table: str,
        position: str,
        stored_id: Callable[[UUID], Any],
        keys: DataKeys | None = None,
        personal_topics: frozenset[str] = frozenset(),
    ) -> None:
        self.db, self.stored_id = db, stored_id
        self.keys, self.personal_topics = keys, personal_topics
        # The table and column are the library's names, never a caller's text.
        self.first = (
            f"SELECT {position} AS id, originator_id, originator_version, topic, state"  # noqa: S608
            f" FROM {table} WHERE {position} <= ?"
        )
        self.order = " ORDER BY originator_id, originator_version LIMIT ?"

    def page(self, up_to: int, after: Key | None, limit: int) -> Sequence[Notification]:
        params: list[Any] = [up_to]
        text = self.first
        if after is not None:
            text += " AND (originator_id, originator_version) > (?, ?)"
            params += [self.stored_id(after[0]), after[1]]
        rows = self.db.rows(text + self.order, [*params, limit])
        found = [
            Notification(
                id=int(r["id"]),
                originator_id=UUID(str(r["originator_id"])),
                originator_version=int(r["originator_version"]),
                topic=r["topic"],
                state=bytes(r["state"]),
            )
            for r in rows
        ]
        if self.keys is not None and self.personal_topics:
            # Their data keys, read now: a rebuild reads its next page in a thread of its
            # own while it decodes this one, and then finds every key it needs at hand.
            personal = [n for n in found if n.topic in self.personal_topics]
            self.keys.load([cast(UUID, n.originator_id) for n in personal])
        return found


class LogHistories:
    """The in-memory store's events, sorted by history (memory is not bounded here)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder

    def page(self, up_to: int, after: Key | None, limit: int) -> Sequence[Notification]:
        found: list[Notification] = []
        position = 0
        while batch := self.recorder.select_notifications(
            position, LOG_PAGE, stop=up_to, inclusive_of_start=False
        ):
            found += batch
            position = batch[-1].id
        found.sort(key=lambda n: (str(n.originator_id), n.originator_version))
        if after is not None:
            key = (str(after[0]), after[1])
            found = [n for n in found if (str(n.originator_id), n.originator_version) > key]
        return found[:limit]
