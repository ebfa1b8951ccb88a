"""Rebuild a projection from the events while the old tables keep serving.

Everything is built into ``<table>_next`` from position 0 in large batches, with every
record kept in memory and written once with plain inserts; then one transaction,
holding the projection's position row, drops the old tables, renames the new ones in
and stores the rebuilt position. The follower carries on from that position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper

from domain.aggregate import DomainEvent
from projections import positions
from projections.database import Database
from projections.projection import Projection
from projections.schema import SHADOW

WRITE_CHUNK = 10_000


def rebuild(  # noqa: PLR0913
    db: Database,
    recorder: ApplicationRecorder,
    mapper: Mapper[UUID],
    projection: Projection[Any],
    *,
    batch_size: int = 5_000,
    on_batch: Callable[[int], object] | None = None,
) -> int:
    """Rebuild ``projection`` and swap it in; the position it was rebuilt to."""
    with db.transaction() as tx:
        for table in projection.tables:
            tx.execute(f"DROP TABLE IF EXISTS {table.name}{SHADOW}")
            tx.execute(table.create(SHADOW))
    records: dict[UUID, Any] = {}
    position = 0
    while batch := recorder.select_notifications(position, batch_size, inclusive_of_start=False):
        projection.feed(records, (cast(DomainEvent, mapper.to_domain_event(n)) for n in batch))
        position = batch[-1].id
        if on_batch is not None:
            on_batch(len(batch))
    values = list(records.values())
    for start in range(0, len(values), WRITE_CHUNK):
        with db.transaction() as tx:
            projection.write(tx, values[start : start + WRITE_CHUNK], suffix=SHADOW, fresh=True)
    if db.dialect == "postgres":  # indexes built before the swap, renamed in it
        with db.transaction() as tx:
            for table in projection.tables:
                for statement in table.create_indexes(db.dialect, SHADOW):
                    tx.execute(statement)
    swap(db, projection, position)
    return position


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
