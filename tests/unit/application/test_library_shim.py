"""What the event store relies on in eventsourcing (checked against 9.5.6): these fail
if the library changes underneath (adapters/library_shim.py, adapters/event_store.py)."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from adapters.event_store import LibraryEventStore, open_event_store
from adapters.sql.sqlite_writer import SQLITE_WRITE_WAIT_S


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[LibraryEventStore]:
    store = open_event_store(f"sqlite:///{tmp_path / 'events.db'}")
    try:
        yield store
    finally:
        store.close()


def test_the_sqlite_pool_waits_a_requests_budget_and_keeps_the_librarys_settings(
    sqlite_store: LibraryEventStore, tmp_path: Path
) -> None:
    recorder = sqlite_store.recorder
    assert isinstance(recorder, SQLiteApplicationRecorder)
    datastore = recorder.datastore
    assert isinstance(datastore, SQLiteDatastore)
    assert datastore.pool.pool_timeout == SQLITE_WRITE_WAIT_S
    assert datastore.pool.lock_timeout == SQLITE_WRITE_WAIT_S  # SQLITE_LOCK_TIMEOUT
    assert datastore.pool.db_name == str(tmp_path / "events.db")
    assert sqlite_store.snapshots is not None
    assert sqlite_store.snapshots.recorder.datastore is datastore  # type: ignore[attr-defined]


def test_the_sqlite_recorder_does_not_retry_an_insert(
    sqlite_store: LibraryEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    datastore = sqlite_store.recorder.datastore  # type: ignore[attr-defined]
    attempts = []

    @contextmanager
    def broken(*, commit: bool) -> Iterator[None]:
        attempts.append(commit)
        raise OperationalError("disk I/O error")
        yield

    monkeypatch.setattr(datastore, "transaction", broken)
    with pytest.raises(OperationalError):
        sqlite_store.recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "T", b"{}")])
    assert attempts == [True]


def test_the_sqlite_recorder_still_calls_its_insert_hook_inside_the_events_transaction(
    sqlite_store: LibraryEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the library's SQLite recorder, whose private hook ``_insert_events`` the
    # keyed recorder overrides to store data keys with the events (checked on 9.5.6)
    assert "_insert_events" in vars(SQLiteApplicationRecorder)
    hook = inspect.signature(SQLiteApplicationRecorder._insert_events)
    assert list(hook.parameters)[:3] == ["self", "c", "stored_events"]
    recorder = sqlite_store.recorder
    seen: list[bool] = []
    library_hook = SQLiteApplicationRecorder._insert_events

    def watched(self: Any, c: Any, stored_events: Any, **kwargs: Any) -> Any:
        seen.append(c.sqlite_cursor.connection.in_transaction)
        return library_hook(self, c, stored_events, **kwargs)

    monkeypatch.setattr(SQLiteApplicationRecorder, "_insert_events", watched)
    # When an event is stored
    recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "T", b"{}")])
    # Then the library called its hook once, inside the transaction that stored it
    assert seen == [True]
