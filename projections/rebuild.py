"""Rebuild projections from the events while the old tables keep serving.

Everything is built into ``<table>_next`` from the events stored up to the newest
notification id at the start, read history by history (ordered by aggregate and version,
in pages, the next one read by a thread while one is decoded): a record is complete when
its aggregate's history ends, so it is written then (PostgreSQL: COPY text, sent by a
loader thread while the next rows are encoded; SQLite: inserts, a transaction per
chunk) and forgotten. Memory holds one page of events and one chunk of records, whatever
the number of aggregates. Then one transaction per projection, holding its position row,
drops the old tables, renames the new ones in and stores the rebuilt position. The
follower carries on from that position. Rebuilding several projections reads and
decodes the events once for all.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from domain.aggregate import DomainEvent
from projections import positions
from projections.failures import undecodable
from projections.projection import Projection
from projections.schema import SHADOW
from projections.sql import Database, Loader

WRITE_CHUNK = 10_000
COLLECT_EVERY = 50  # pages between two runs of the cyclic garbage collector
Key = tuple[UUID, int]  # (originator id, version): where a page of histories ends


class Histories(Protocol):
    """The stored events, history by history (adapters/histories.py)."""

    def page(self, up_to: int, after: Key | None, limit: int) -> Sequence[Notification]:
        """Up to ``limit`` events whose notification id is at most ``up_to``, ordered by
        (originator id, version), from just after ``after`` (None: the first)."""
        ...


def rebuild_all(  # noqa: PLR0913
    db: Database,
    recorder: ApplicationRecorder,
    histories: Histories,
    mapper: Mapper[UUID],
    projections: Sequence[Projection[Any]],
    *,
    batch_size: int = 5_000,
    on_batch: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Rebuild ``projections`` in one pass over the events and swap each in; the
    position each was rebuilt to."""
    with db.transaction() as tx:
        for projection in projections:
            for table in projection.tables:
                tx.execute(f"DROP TABLE IF EXISTS {table.name}{SHADOW}")
                tx.execute(table.create(SHADOW))
    head = recorder.max_notification_id() or 0
    builds = [Build(projection) for projection in projections]
    # The cyclic collector runs only every ``COLLECT_EVERY`` pages meanwhile (in the whole
    # process): events and records form no cycles, their garbage goes by reference counts,
    # and its runs on every few hundred allocations cost a fifth of a rebuild's time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _stream(db, histories, head, mapper, builds, batch_size, on_batch)
    finally:
        if collecting:
            gc.enable()
    for build in builds:
        build.index(db)
        swap(db, build.projection, head)
    return {projection.name: head for projection in projections}


def _stream(  # noqa: PLR0913, PLR0917
    db: Database,
    histories: Histories,
    head: int,
    mapper: Mapper[UUID],
    builds: list[Build],
    batch_size: int,
    on_batch: Callable[[int], object] | None,
) -> None:
    def read(after: Key | None) -> Sequence[Notification]:
        return histories.page(head, after, batch_size)

    with db.loading() as loader:
        # A thread reads the next page while this one is decoded: the database
        # answers (and the socket is waited for) meanwhile.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-read") as reader:
            following = reader.submit(read, None)
            pages = 0
            while batch := following.result():
                last = batch[-1]
                unfinished = cast(UUID, last.originator_id)
                following = reader.submit(read, (unfinished, last.originator_version))
                try:
                    events = [cast(DomainEvent, mapper.to_domain_event(n)) for n in batch]
                except Exception as error:
                    raise undecodable(mapper, batch, error) from error
                for build in builds:
                    build.feed(events, loader, unfinished=unfinished)
                if on_batch is not None:
                    on_batch(len(batch))
                pages += 1
                if pages % COLLECT_EVERY == 0:
                    gc.collect()
        for build in builds:
            build.finish(loader)


class Build:
    """One projection's records being rebuilt: those of finished histories go out in
    chunks; only the history a page ended in is carried to the next page."""

    def __init__(self, projection: Projection[Any]) -> None:
        self.projection = projection
        self.records: dict[UUID, Any] = {}
        self.ready: list[Any] = []

    def feed(self, events: Sequence[DomainEvent], loader: Loader, *, unfinished: UUID) -> None:
        self.projection.feed(self.records, events)
        carried = self.records.pop(unfinished, None)
        self.ready.extend(self.records.values())
        self.records.clear()
        if carried is not None:
            self.records[unfinished] = carried
        if len(self.ready) >= WRITE_CHUNK:
            self._write(loader)

    def finish(self, loader: Loader) -> None:
        self.ready.extend(self.records.values())
        self.records.clear()
        self._write(loader)

    def index(self, db: Database) -> None:
        if db.dialect == "postgres":  # indexes built before the swap, renamed in it
            with db.transaction() as tx:
                for table in self.projection.tables:
                    for statement in table.create_indexes(db.dialect, SHADOW):
                        tx.execute(statement)

    def _write(self, loader: Loader) -> None:
        if self.ready:
            with loader.transaction() as tx:
                self.projection.write(tx, self.ready, suffix=SHADOW, fresh=True)
            self.ready = []


def swap(db: Database, projection: Projection[Any], position: int) -> None:
    with db.transaction() as tx:
        positions.read(tx, [projection.name], lock=True)
        for table in projection.tables:
            tx.execute(f"DROP TABLE IF EXISTS {table.name}")
            tx.execute(f"ALTER TABLE {table.name}{SHADOW} RENAME TO {table.name}")
            if db.dialect == "postgres":
                for index in [f"{table.name}_pkey", *table.index_names(db.dialect)]:
                    tx.execute(f"ALTER INDEX {index}{SHADOW} RENAME TO {index}")
            else:  # SQLite cannot rename an index; WAL readers keep the old snapshot
                for statement in table.create_indexes(db.dialect):
                    tx.execute(statement)
        positions.write(tx, [projection.name], position)
