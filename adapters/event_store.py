"""The event store: the library's Application configured from one database URL."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    Recording,
    Transcoder,
)
from eventsourcing.utils import Environment

from adapters.data_keys import DataKeys
from adapters.event_macs import EventMacs
from adapters.library_shim import KeyedPOPOFactory, WaitingSQLiteFactory
from adapters.mapper import JSONBytes, PydanticMapper, topic_registry
from adapters.pg_recorder import LockingInsertRecorder, schema_lock
from adapters.sql.sqlite_writer import SQLITE_WRITE_WAIT_S, writing
from adapters.store_environment import create_private_file, persistence_env
from adapters.store_histories import postgres_histories, scrub_sqlite, stored_history
from adapters.unsigned_history import sign_postgres_history, sign_sqlite_history
from application.event_store import replay
from application.receipts import Receipt  # noqa: F401  (the mapper then knows its topic)
from domain.aggregate import Aggregate, DomainEvent, Snapshot
from domain.customer import Customer
from domain.partner import Partner
from domain.service_account import ServiceAccount

APP_NAME = "Tenantry"
log = logging.getLogger(__name__)


class LibraryEventStore(Application[UUID]):
    """Customers, partners and service accounts in one notification log, with the
    receipts of commands run under an Idempotency-Key (never snapshotted)."""

    name = APP_NAME
    snapshot_class = Snapshot
    TOPIC_ALIASES: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        env: dict[str, str],
        snapshot_interval: int = 50,
        macs: EventMacs | None = None,
        *,
        sign_unsigned: bool = False,
        master_key: str | None = None,
    ) -> None:
        self.macs = macs
        # On a SQLite file, the process's one turn to write it, shared with the views'
        # writers (adapters/sql/sqlite_writer.py); the library's pool waits up to as long.
        path = env.get("SQLITE_DBNAME", ":memory:")
        self._write_turn: Callable[[], AbstractContextManager[None]] = (
            (lambda: writing(path, SQLITE_WRITE_WAIT_S))
            if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite" and path != ":memory:"
            else contextlib.nullcontext
        )
        self.data_keys = DataKeys(master_key)
        self.signed_unsigned = 0  # events and snapshots signed as history from before MACs
        aggregates = (Customer, Partner, ServiceAccount)
        self.snapshotting_intervals = dict.fromkeys(aggregates, snapshot_interval)  # type: ignore[misc]
        self.snapshotting_projectors = dict.fromkeys(aggregates, replay)  # type: ignore[misc]
        with schema_lock(env):
            super().__init__(env)
            recorder: Any = self.recorder  # ours on every backend: it stores the data keys
            recorder.data_keys = self.data_keys
            recorder.personal_topics = cast(PydanticMapper, self.mapper).personal_topics
            if self.snapshots is not None:
                recorder.snapshots_table = getattr(
                    self.snapshots.recorder, "events_table_name", None
                )
            self.data_keys.table = recorder
            # Only when the operator asks (`tenantry audit sign-legacy`): a start that
            # signed whatever it found unsigned would let anyone who can strip the MACs
            # have a forged history signed under the real key.
            if macs is not None and sign_unsigned:
                self.signed_unsigned = self._sign_unsigned_history(env, macs)

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
            return WaitingSQLiteFactory(env, pool_timeout=SQLITE_WRITE_WAIT_S)
        if env.get("PERSISTENCE_MODULE") == "eventsourcing.popo":
            return KeyedPOPOFactory(env)
        return super().construct_factory(env)

    def _sign_unsigned_history(self, env: dict[str, str], macs: EventMacs) -> int:
        """Sign the events of a database written before they carried a MAC, once."""
        module = env.get("PERSISTENCE_MODULE")
        if module not in ("eventsourcing.sqlite", "eventsourcing.postgres"):
            return 0  # in memory: nothing was written before
        tables = [self.recorder.events_table_name]  # type: ignore[attr-defined]
        if self.snapshots is not None:
            tables.append(self.snapshots.recorder.events_table_name)  # type: ignore[attr-defined]
        if module == "eventsourcing.sqlite" and env["SQLITE_DBNAME"] != ":memory:":
            return sign_sqlite_history(env["SQLITE_DBNAME"], tables, macs, SQLITE_WRITE_WAIT_S)
        if module == "eventsourcing.postgres":
            return sign_postgres_history(self.recorder.datastore, tables, macs)  # type: ignore[attr-defined]
        return 0

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save for our aggregates only: their events put in the event
        store in one insert (one transaction on every backend), without the library's
        runtime Protocol checks on every object, and with snapshots taken from the
        aggregate in hand rather than read back and replayed from the database.

        Neither the recorder used on PostgreSQL (``LockingInsertRecorder``) nor the
        library's SQLite and in-memory ones retry an insert: when a first attempt had
        committed and only its acknowledgement was lost, a retry would conflict with
        the command's own events. The unit of work decides (``UnitOfWork.save_once``)."""
        aggregates: dict[UUID, Aggregate] = {a.id: a for a in objs}
        events = [e for a in aggregates.values() for e in a.collect_events()]
        with self._write_turn():
            self.data_keys.begin()
            recordings = self.events.put(events, **kwargs)
            if self.snapshots is not None:
                for event in events:
                    self._snapshot(aggregates[event.originator_id], event.originator_version)
        return recordings

    def _snapshot(self, aggregate: Aggregate, version: int) -> None:
        """Take a snapshot at ``version`` if it is due. The events are recorded by now:
        a snapshot that fails (or whose retry finds it stored, after a lost
        acknowledgement) must not fail the command; a missing one costs a longer replay."""
        interval = self.snapshotting_intervals.get(type(aggregate))
        if not interval or version % interval:
            return
        try:
            if version == aggregate.version:
                self.snapshots.put([Snapshot.take(aggregate)])  # type: ignore[union-attr]
            else:
                self.take_snapshot(aggregate.id, version, replay)
        except (IntegrityError, OperationalError, InterfaceError) as error:
            log.warning("no snapshot of %s at version %d: %s", aggregate.id, version, error)

    def histories(self, after: Mapping[UUID, int]) -> dict[UUID, list[Any]]:
        """For each aggregate id, what follows ``after[id]`` (a version this process has
        in hand, 0 for none): the newest snapshot past it, if any, then the events past
        both, decoded and checked as any read. On PostgreSQL one query for them all;
        elsewhere two reads an aggregate, as a load."""
        if not after:
            return {}
        if isinstance(self.recorder, LockingInsertRecorder) and self.snapshots is not None:
            stored = postgres_histories(self.recorder, self.snapshots.recorder, after)
        else:
            snapshots = None if self.snapshots is None else self.snapshots.recorder
            stored = {i: stored_history(self.recorder, snapshots, i, v) for i, v in after.items()}
        self.data_keys.load(after)  # their data keys in one query, not one a customer
        to_domain = self.mapper.to_domain_event
        return {i: [to_domain(e) for e in events] for i, events in stored.items()}

    def construct_transcoder(self) -> Transcoder:
        return JSONBytes()

    def construct_mapper(self) -> Mapper[UUID]:
        """Ours, with the library's compressor and cipher when the environment names
        them (``COMPRESSOR_TOPIC``, ``CIPHER_TOPIC`` and ``CIPHER_KEY``)."""
        return PydanticMapper(
            self.construct_transcoder(),
            topic_registry(self.TOPIC_ALIASES),
            self.macs,
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
            keys=self.data_keys,
        )

    def scrub(self) -> None:
        """Leave no earlier page images behind: on SQLite, checkpoint the write-ahead
        log into the database file and truncate it (after an erasure, the log still
        holds the pages as they were before). PostgreSQL dumps and reads only the
        rows that are current: nothing to do."""
        dbname = self.env.get("SQLITE_DBNAME", ":memory:")
        if self.env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite" and dbname != ":memory:":
            scrub_sqlite(dbname)


def open_event_store(
    database_url: str,
    snapshot_interval: int = 50,
    macs: EventMacs | None = None,
    *,
    sign_unsigned: bool = False,
    master_key: str | None = None,
    **extra: Any,
) -> LibraryEventStore:
    """The store; with ``macs``, events are signed when stored and checked when read;
    ``sign_unsigned`` signs a database written wholly before events carried a MAC."""
    env = persistence_env(database_url)
    if env.get("SQLITE_DBNAME", ":memory:") != ":memory:":
        create_private_file(Path(env["SQLITE_DBNAME"]))
    env.update({k: str(v) for k, v in extra.items()})
    return LibraryEventStore(
        env,
        snapshot_interval=snapshot_interval,
        macs=macs,
        sign_unsigned=sign_unsigned,
        master_key=master_key,
    )


def newest_recorded_at(store: LibraryEventStore, window: int = 100) -> datetime | None:
    """The latest ``recorded_at`` among the last ``window`` events (positions are given
    at insert, instants when a command decided: two writers may swap them)."""
    last = store.recorder.max_notification_id()
    if not last:
        return None
    notifications = store.recorder.select_notifications(
        start=max(1, last - window + 1), limit=window
    )
    instants = []
    for notification in notifications:
        try:
            event = cast(DomainEvent, store.mapper.to_domain_event(notification))
        except Exception as error:  # an unreadable event is for the views to report
            log.warning("event %d unreadable: %s", notification.id, type(error).__name__)
            continue
        instants.append(event.recorded_at)
    return max(instants, default=None)


def any_partner(store: LibraryEventStore) -> bool:
    """Whether a partner was ever registered."""
    return bool(store.recorder.select_notifications(1, 1, topics=[Partner.Registered.TOPIC]))
