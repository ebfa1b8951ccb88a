"""Reading many aggregates' histories at once (``postgres_histories``: one query on
PostgreSQL; ``stored_history``: two reads an aggregate elsewhere) and scrubbing SQLite's
write-ahead log after an erasure. Used by ``LibraryEventStore``."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Identifier

from adapters.pg_recorder import LockingInsertRecorder
from adapters.sql.sqlite_writer import writing

SCRUB_WAIT_S = 5  # how long the checkpoint after an erasure waits for readers and writers
log = logging.getLogger(__name__)

# Many aggregates' histories in one query (``LibraryEventStore.histories``): for each id,
# the newest snapshot past the version in hand, then the events past both.
HISTORIES = (
    "WITH asked AS (SELECT * FROM unnest(%s::{id_type}[], %s::bigint[]) AS a(id, after)), "
    "snap AS (SELECT DISTINCT ON (s.originator_id) s.originator_id, s.originator_version, "
    "s.topic, s.state FROM asked a JOIN {snapshots} s "
    "ON s.originator_id = a.id AND s.originator_version > a.after "
    "ORDER BY s.originator_id, s.originator_version DESC) "
    "SELECT 0 AS part, originator_id, originator_version, topic, state FROM snap "
    "UNION ALL "
    "SELECT 1, e.originator_id, e.originator_version, e.topic, e.state "
    "FROM asked a LEFT JOIN snap ON snap.originator_id = a.id "
    "JOIN {events} e ON e.originator_id = a.id "
    "AND e.originator_version > GREATEST(a.after, COALESCE(snap.originator_version, 0)) "
    "ORDER BY originator_id, part, originator_version"
)


def stored_history(
    events: Any, snapshots: Any | None, aggregate_id: UUID, after: int
) -> list[StoredEvent]:
    """What follows ``after`` of one aggregate: its newest snapshot past it, then the
    events past both (from the ``events`` and ``snapshots`` recorders)."""
    found: list[StoredEvent] = []
    if snapshots is not None:
        found += snapshots.select_events(aggregate_id, gt=after, desc=True, limit=1)
    start = found[0].originator_version if found else after
    return [*found, *events.select_events(aggregate_id, gt=start)]


def postgres_histories(
    events: Any, snapshots_recorder: Any, after: Mapping[UUID, int]
) -> dict[UUID, list[StoredEvent]]:
    """``stored_history`` of every aggregate in ``after``, in one query (``HISTORIES``)."""
    recorder = cast(LockingInsertRecorder, events)
    datastore = recorder.datastore
    snapshots = snapshots_recorder.events_table_name
    statement = SQL(HISTORIES).format(
        id_type=SQL(datastore.originator_id_type),
        events=Identifier(datastore.schema, recorder.events_table_name),
        snapshots=Identifier(datastore.schema, snapshots),
    )
    found: dict[UUID, list[StoredEvent]] = {i: [] for i in after}
    with datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, (list(after), list(after.values())), prepare=True)
        for row in curs.fetchall():
            found[row["originator_id"]].append(
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
            )
    return found


def scrub_sqlite(dbname: str) -> None:
    """Checkpoint the write-ahead log of ``dbname`` into the file and truncate it."""
    # A truncating checkpoint holds writers back while it waits for readers: a few
    # seconds at most; a busy one is retried by the next erasure (or SQLite's own
    # checkpoints overwrite the log as it is reused).
    try:
        with writing(dbname, SCRUB_WAIT_S):  # this process's writers wait meanwhile
            conn = sqlite3.connect(dbname, timeout=SCRUB_WAIT_S, isolation_level=None)
            try:
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                conn.close()
    except sqlite3.OperationalError as error:
        busy = str(error)
    if busy:
        log.warning("the write-ahead log was not truncated after an erasure: %s", busy)
