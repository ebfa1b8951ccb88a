"""Rebuild projections from the events while the old tables keep serving.

Everything is built into ``<table>_next`` from position 0 in large batches (the next one
read by a thread while one is decoded), with every record kept in memory and written
once at the end (PostgreSQL: COPY text, sent by a loader thread while the next rows are
encoded; SQLite: inserts, a transaction per chunk); then one transaction per
projection, holding its position row, drops the old tables, renames the new ones in
and stores the rebuilt position. The follower carries on from that position.
Rebuilding several projections reads and decodes the notification log once for all.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from domain.aggregate import DomainEvent
from projections import positions
from projections.failures import undecodable
from projections.projection import Projection
from projections.schema import SHADOW
from projections.sql import Database

WRITE_CHUNK = 10_000


def rebuild_all(  # noqa: PLR0913
    db: Database,
    recorder: ApplicationRecorder,
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
    records: list[dict[UUID, Any]] = [{} for _ in projections]
    position = 0

    def read(after: int) -> Sequence[Notification]:
        return recorder.select_notifications(after, batch_size, inclusive_of_start=False)

    # The cyclic collector is off meanwhile, in the whole process (8 % of a 1.5M-event
    # rebuild): events and records form no cycles, their garbage goes by reference
    # counts; one collection at the end catches anything else.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # A thread reads the next batch while this one is decoded: the database
        # answers (and the socket is waited for) meanwhile.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-read") as reader:
            following = reader.submit(read, position)
            while batch := following.result():
                following = reader.submit(read, batch[-1].id)
                try:
                    events = [cast(DomainEvent, mapper.to_domain_event(n)) for n in batch]
                except Exception as error:
                    raise undecodable(mapper, batch, error) from error
                for projection, kept in zip(projections, records, strict=True):
                    projection.feed(kept, events)
                position = batch[-1].id
                if on_batch is not None:
                    on_batch(len(batch))
                # The records kept so far are long-lived: take them out of the cyclic
                # collector's sight, which otherwise walks them all again and again
                # (half of a large rebuild's time in profiles).
                gc.freeze()
        _write_all(db, projections, records)
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()
        gc.collect()
    for projection in projections:
        swap(db, projection, position)
    return {projection.name: position for projection in projections}


def _write_all(
    db: Database, projections: Sequence[Projection[Any]], records: list[dict[UUID, Any]]
) -> None:
    for projection, kept in zip(projections, records, strict=True):
        values = list(kept.values())
        kept.clear()
        with db.loading() as loader:
            for start in range(0, len(values), WRITE_CHUNK):
                with loader.transaction() as tx:
                    chunk = values[start : start + WRITE_CHUNK]
                    projection.write(tx, chunk, suffix=SHADOW, fresh=True)
        if db.dialect == "postgres":  # indexes built before the swap, renamed in it
            with db.transaction() as tx:
                for table in projection.tables:
                    for statement in table.create_indexes(db.dialect, SHADOW):
                        tx.execute(statement)


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
        positions.write(tx, projection.name, position)
