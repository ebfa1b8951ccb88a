"""The one-round-trip recorder keeps the library's guarantees on real PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from adapters.event_store import LibraryEventStore, open_event_store
from adapters.pg_recorder import LockingInsertRecorder

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(postgres_url: str) -> Iterator[LibraryEventStore]:
    opened = open_event_store(postgres_url)
    try:
        yield opened
    finally:
        opened.close()


def events(originator: uuid.UUID, *versions: int) -> list[StoredEvent]:
    return [StoredEvent(originator, v, "T", b'{"v": %d}' % v) for v in versions]


def test_the_store_uses_it(store: LibraryEventStore) -> None:
    assert isinstance(store.recorder, LockingInsertRecorder)


def test_given_one_or_several_events_when_inserted_then_ids_ascend_and_they_read_back(
    store: LibraryEventStore,
) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    first = store.recorder.insert_events(events(a, 1))
    several = store.recorder.insert_events(events(b, 1, 2, 3))
    assert first is not None
    assert several is not None
    ids = [*first, *several]
    assert ids == sorted(ids)
    assert len(set(ids)) == 4
    assert store.recorder.select_events(b) == events(b, 1, 2, 3)
    assert [n.id for n in store.recorder.select_notifications(1, 10)] == ids


def test_given_a_taken_version_when_several_are_inserted_then_none_is(
    store: LibraryEventStore,
) -> None:
    a = uuid.uuid4()
    store.recorder.insert_events(events(a, 1))
    with pytest.raises(IntegrityError):
        store.recorder.insert_events(events(a, 2, 1))
    assert store.recorder.select_events(a) == events(a, 1)


def test_given_the_table_locked_when_a_writer_inserts_then_it_waits_and_gets_a_later_id(
    store: LibraryEventStore, postgres_url: str
) -> None:
    got: list[int] = []
    with psycopg.connect(postgres_url) as holder:
        holder.execute("LOCK TABLE tenantry_events IN EXCLUSIVE MODE")
        row = holder.execute(
            "INSERT INTO tenantry_events (originator_id, originator_version, topic, state) "
            "VALUES (%s, 1, 'T', '\\x7b7d') RETURNING notification_id",
            (uuid.uuid4(),),
        ).fetchone()
        assert row is not None
        writer = threading.Thread(
            target=lambda: got.extend(store.recorder.insert_events(events(uuid.uuid4(), 1)) or [])
        )
        writer.start()
        time.sleep(0.3)
        assert got == []  # blocked on the lock, not past it
        holder.commit()
    writer.join(5)
    assert got
    assert got[0] > row[0]


def test_it_notifies_listeners(store: LibraryEventStore, postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {store.recorder.channel_name}")  # type: ignore[attr-defined]
        store.recorder.insert_events(events(uuid.uuid4(), 1))
        assert next(listener.notifies(timeout=5), None) is not None


def test_an_insert_whose_connection_broke_is_not_retried(
    store: LibraryEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = []

    @contextmanager
    def broken() -> Iterator[None]:
        attempts.append(1)
        raise OperationalError("terminating connection due to administrator command")
        yield

    monkeypatch.setattr(store.recorder.datastore, "get_connection", broken)  # type: ignore[attr-defined]
    with pytest.raises(OperationalError):
        store.recorder.insert_events(events(uuid.uuid4(), 1))
    assert attempts == [1]
