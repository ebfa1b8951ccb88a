"""One batch of events applied to the views: one transaction with the new positions.

On PostgreSQL the transaction is pipelined (``Database.pipelined``): the positions'
lock and every view's loads go in one round trip, every write, the positions and the
COMMIT in a second, where one statement a round trip made ~17 for a batch of two
events. Each view's loads are sent for the events past the position this follower
last saw it at; a view stored elsewhere (another process's follower, a rebuild) has
its loads sent again for the events past its stored position.

The COMMIT does not wait for its WAL to reach the disk (``synchronous_commit = off``
for this transaction only; 2-4 ms a commit here, p90 7-12 ms on a loaded machine). A
server crash can lose the last batches applied (up to 3 x ``wal_writer_delay``), never
part of one: rows and positions go together, so the follower applies those events
again from the stored positions. Any later commit that waits (a command, a delivery
recorded) flushes the WAL before it, so nothing acted on is lost without what it read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from domain.aggregate import DomainEvent
from projections import positions
from projections.projection import Projection
from projections.sql import Database, Tx

Numbered = Sequence[tuple[int, DomainEvent]]


def apply_batch(
    db: Database,
    projections: Sequence[Projection[Any]],
    seen: Mapping[str, int],
    start: int,
    decoded: Numbered,
) -> dict[str, int]:
    """Apply ``decoded`` (the events past ``start``) to each view, from its stored
    position on; the positions stored afterwards. ``seen``: where this follower last
    saw each view. Nothing is applied when a view is stored before ``start`` (a
    rebuild moved it back: the caller reads from there again)."""
    last = decoded[-1][0]
    with db.pipelined() as tx:
        if db.dialect == "postgres":  # see the module's docstring
            tx.execute("SET LOCAL synchronous_commit = off")
        locked = positions.fetch(tx, seen, lock=True)
        planned = {p.name: _plan(tx, p, decoded, seen[p.name]) for p in projections}
        stored = locked()  # the lock's answer and every load's: one round trip
        if min(stored.values()) < start:
            return stored
        moved: list[str] = []
        for projection in projections:
            at = stored[projection.name]
            if at >= last:
                continue
            finish = planned[projection.name]
            if at != seen[projection.name]:
                finish = _plan(tx, projection, decoded, at)
            if finish is not None:
                finish()
            moved.append(projection.name)
            stored[projection.name] = last
        positions.write(tx, moved, last)  # one statement, same transaction
    return stored


def _plan(
    tx: Tx, projection: Projection[Any], decoded: Numbered, after: int
) -> Callable[[], None] | None:
    if after >= decoded[-1][0]:
        return None
    return projection.prepare(tx, [(i, e) for i, e in decoded if i > after])
