"""The event store: the library's Application configured from one database URL."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    Recording,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from adapters.data_keys import DataKeys
from adapters.database_url import scheme, sqlite_path
from adapters.event_macs import EventMacs
from adapters.library_shim import KeyedPOPOFactory, WaitingSQLiteFactory
from adapters.mapper import JSONBytes, PydanticMapper, topic_registry
from adapters.pg_recorder import TOPIC as RECORDER_TOPIC
from adapters.pg_recorder import LockingInsertRecorder, schema_lock
from adapters.sql.sqlite_writer import SQLITE_WRITE_WAIT_S, writing
from adapters.unsigned_history import sign_postgres_history, sign_sqlite_history
from application.event_store import replay
from application.receipts import Receipt  # noqa: F401  (the mapper then knows its topic)
from domain.aggregate import Aggregate, DomainEvent, Snapshot
from domain.customer import Customer
from domain.partner import Partner
from domain.service_account import ServiceAccount

APP_NAME = "Tenantry"
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
            stored = self._postgres_histories(after)
        else:
            stored = {i: self._stored_history(i, v) for i, v in after.items()}
        self.data_keys.load(after)  # their data keys in one query, not one a customer
        to_domain = self.mapper.to_domain_event
        return {i: [to_domain(e) for e in events] for i, events in stored.items()}

    def _stored_history(self, aggregate_id: UUID, after: int) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        if self.snapshots is not None:
            found += self.snapshots.recorder.select_events(
                aggregate_id, gt=after, desc=True, limit=1
            )
        start = found[0].originator_version if found else after
        return [*found, *self.recorder.select_events(aggregate_id, gt=start)]

    def _postgres_histories(self, after: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        recorder = cast(LockingInsertRecorder, self.recorder)
        datastore = recorder.datastore
        snapshots = cast(Any, self.snapshots).recorder.events_table_name
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
        if self.env.get("PERSISTENCE_MODULE") != "eventsourcing.sqlite" or dbname == ":memory:":
            return
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


def persistence_env(database_url: str) -> dict[str, str]:
    """Map ``TENANTRY_DATABASE_URL`` onto the library's environment variables."""
    return {"IS_SNAPSHOTTING_ENABLED": "y"} | _backend_env(database_url)


def _backend_env(database_url: str) -> dict[str, str]:
    if scheme(database_url) == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    path = sqlite_path(database_url)
    if path is not None:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": str(SQLITE_WRITE_WAIT_S),
        }
    url = urlsplit(database_url)
    if url.scheme in ("postgres", "postgresql"):
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            # No pre-ping: the pool's check backs off 1 s, 2 s, 4 s... per connection
            # the server dropped, and after a restart (or terminated backends) every idle
            # one is dropped: requests waited 7-14 s. Without it, a dropped connection
            # fails its statement, is discarded, and the library retries (10 x 0.2 s).
            "POSTGRES_PRE_PING": "n",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": RECORDER_TOPIC,
        }
    raise ValueError(
        f"unsupported TENANTRY_DATABASE_URL scheme {url.scheme!r}: "
        "use sqlite:///path.db or postgresql://user:pass@host:port/db"
    )


def create_private_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable by its owner only, unless it exists.
    SQLite gives its -wal and -shm files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


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
