"""What the event store needs of eventsourcing that its public settings do not give.

Checked against eventsourcing 9.5.6; tests/unit/application/test_library_shim.py
fails if the library changes underneath.

The data keys (adapters/data_keys.py): the recorders here store a subject's data key,
or erase it and its snapshots, in the transaction that stores the events (on SQLite
in ``_insert_events``, the library's hook inside its transaction).

SQLite's write wait: the library's SQLite pool gives up after ``pool_timeout`` (5 s)
and no environment variable sets it (``SQLITE_LOCK_TIMEOUT`` is SQLite's own file
lock). This factory builds the datastore again, as the library's factory did, with the
pool's wait set in its constructor. Its pool opens no connection before the first
use, so the one built first is closed untouched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from adapters.data_keys import ABSENT, Absent, DataKeys, erased_subjects, key_rows, settled

SQLITE_DATA_KEYS = (
    "CREATE TABLE IF NOT EXISTS data_keys (subject_id TEXT PRIMARY KEY, key BLOB,"
    " created_at REAL NOT NULL, erased_at REAL)"
)
SQLITE_UPSERT_KEY = (
    "INSERT INTO data_keys (subject_id, key, created_at, erased_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (subject_id) DO UPDATE SET key = excluded.key, erased_at = excluded.erased_at"
)


class WaitingSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory whose pool waits ``pool_timeout`` seconds for a
    connection, and whose recorder keeps the data keys (``KeyedSQLiteRecorder``)."""

    def __init__(self, env: Environment | EnvType | None, *, pool_timeout: float) -> None:
        super().__init__(env)
        built = self.datastore
        self.datastore = SQLiteDatastore(
            db_name=built.pool.db_name,
            lock_timeout=built.pool.lock_timeout,
            pool_timeout=pool_timeout,
            single_row_tracking=built.single_row_tracking,
            originator_id_type=built.originator_id_type,
        )
        built.close()


class KeyedReads(ApplicationRecorder):
    """A recorder holding the data keys (set by the event store) whose reads of the
    notification log hint the keys of the subjects they found (``hint``). Named first
    among a library recorder's bases: its read extends that recorder's (``super()``)."""

    data_keys: DataKeys | None = None
    snapshots_table: str | None = None
    personal_topics: frozenset[str] = frozenset()

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        found = super().select_notifications(  # type: ignore[safe-super]
            start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )
        hint(self.data_keys, self.personal_topics, found)
        return found


class KeyedSQLiteRecorder(KeyedReads, SQLiteApplicationRecorder):
    """The library's SQLite recorder, storing the data keys (and erasing them) in the
    transaction that stores the events that bring (or erase) them."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), SQLITE_DATA_KEYS]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with settled(self.data_keys, stored_events):
            ids = super().insert_events(stored_events, **kwargs)
        return ids

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        rows = key_rows(stored_events, time.time())
        if rows:
            c.executemany(SQLITE_UPSERT_KEY, [(s.hex, k, at, gone) for s, k, at, gone in rows])
        erased = erased_subjects(stored_events)
        if erased and self.snapshots_table:
            c.execute("PRAGMA secure_delete = ON")  # the snapshots' bytes are overwritten
            c.executemany(
                f"DELETE FROM {self.snapshots_table} WHERE originator_id = ?",  # noqa: S608
                [(s.hex,) for s in erased],
            )
        return super()._insert_events(c, stored_events, **kwargs)

    def select_data_keys(self, subjects: Sequence[UUID]) -> dict[UUID, bytes | None]:
        found: dict[UUID, bytes | None] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(subjects), 500):
                chunk = subjects[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                c.execute(
                    f"SELECT subject_id, key FROM data_keys WHERE subject_id IN ({marks})",  # noqa: S608
                    [s.hex for s in chunk],
                )
                for row in c.fetchall():
                    found[UUID(row[0])] = None if row[1] is None else bytes(row[1])
        return found


WaitingSQLiteFactory.application_recorder_class = KeyedSQLiteRecorder


class KeyedPOPORecorder(POPOApplicationRecorder):
    """The library's in-memory recorder, with the data keys kept beside the events."""

    data_keys: DataKeys | None = None
    snapshots_table: str | None = None
    personal_topics: frozenset[str] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[UUID, bytes | None] = {}

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        plain = [  # not the new keys: kept in the events' list, they would outlive erasure
            StoredEvent(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        # The keys first: a reader that sees an event finds its key.
        rows = key_rows(stored_events, time.time())
        before = {subject: self.keys.get(subject, ABSENT) for subject, *_ in rows}
        self.keys.update((subject, key) for subject, key, _, _ in rows)
        try:
            ids = super().insert_events(plain, **kwargs)
        except Exception:
            for subject, value in before.items():
                if isinstance(value, Absent):
                    self.keys.pop(subject, None)
                else:
                    self.keys[subject] = value
            if self.data_keys is not None:
                self.data_keys.failed()
            raise
        if self.data_keys is not None:
            self.data_keys.saved(stored_events)
        return ids

    def select_data_keys(self, subjects: Sequence[UUID]) -> dict[UUID, bytes | None]:
        return {s: self.keys[s] for s in subjects if s in self.keys}


class KeyedPOPOFactory(POPOFactory):
    def application_recorder(self) -> ApplicationRecorder:
        return KeyedPOPORecorder()


def hint(
    keys: DataKeys | None, personal_topics: frozenset[str], found: Sequence[Notification]
) -> None:
    if keys is not None and personal_topics:
        keys.hint([UUID(str(n.originator_id)) for n in found if n.topic in personal_topics])
