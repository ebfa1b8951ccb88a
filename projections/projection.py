"""A projection keeps one record per aggregate, evolves it by the domain's own events
and writes the record's rows. Live, records are loaded from the view tables for each
batch; during a rebuild they all stay in memory and are written once at the end."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import Field, fields
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from domain.aggregate import DomainEvent
from projections.schema import Table
from projections.sql import Tx

R = TypeVar("R")


class Projection(ABC, Generic[R]):
    name: str
    tables: tuple[Table, ...]
    # Tables the projection appends to live but a rebuild leaves alone (an outbox).
    kept_tables: tuple[Table, ...] = ()

    @abstractmethod
    def handles(self, event: DomainEvent) -> bool: ...

    def handled(self, numbered: Sequence[tuple[int, DomainEvent]]) -> list[tuple[int, DomainEvent]]:
        """The numbered events this projection handles."""
        return [(i, e) for i, e in numbered if self.handles(e)]

    @abstractmethod
    def version(self, record: R) -> int: ...

    @abstractmethod
    def evolve(self, record: R | None, event: DomainEvent) -> R: ...

    @abstractmethod
    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, R]]:
        """Send the queries that load the records of ``ids``; the answer reads them (in
        the follower's pipelined transaction, every view's loads in one round trip)."""

    @abstractmethod
    def write(self, tx: Tx, records: Sequence[R], *, suffix: str = "", fresh: bool = False) -> None:
        """Write the records' rows (``fresh``: into empty tables, inserts only)."""

    def load(self, tx: Tx, ids: Sequence[UUID]) -> dict[UUID, R]:
        return self.fetch(tx, ids)()

    def process(self, tx: Tx, events: Sequence[DomainEvent]) -> None:
        """Apply a batch live without the events' positions: load the records it
        touches, evolve, write them back (their rows only, never an outbox's)."""
        finish = self._write_back(tx, [e for e in events if self.handles(e)])
        if finish is not None:
            finish()

    def prepare(
        self, tx: Tx, numbered: Sequence[tuple[int, DomainEvent]]
    ) -> Callable[[], None] | None:
        """Apply a batch live, each event with its position in the notification log, in
        two steps: this sends the loads, the callable it returns evolves the records and
        writes them; None when nothing in the batch is for this view (a projection that
        needs the positions overrides this)."""
        return self._write_back(tx, [event for _, event in numbered if self.handles(event)])

    def _write_back(self, tx: Tx, mine: Sequence[DomainEvent]) -> Callable[[], None] | None:
        if not mine:
            return None
        loaded = self.fetch(tx, unique_ids(mine))

        def finish() -> None:
            records = loaded()
            touched = self.feed(records, mine)
            if touched:
                self.write(tx, [records[i] for i in touched])

        return finish

    def committed(self) -> None:
        """The follower's transaction that applied the last batch live has committed
        (a projection that tells others of what it wrote overrides this)."""

    def feed(self, records: dict[UUID, R], events: Iterable[DomainEvent]) -> set[UUID]:
        """Evolve ``records`` in place; an event already applied (a redelivery) is ignored."""
        touched: set[UUID] = set()
        for _ in self.feed_numbered(records, ((0, e) for e in events), touched):
            pass
        return touched

    def feed_numbered(
        self,
        records: dict[UUID, R],
        numbered: Iterable[tuple[int, DomainEvent]],
        touched: set[UUID],
    ) -> Iterator[tuple[int, DomainEvent, R]]:
        """As ``feed``, event by event with its position: yields each event applied,
        with its record evolved (its id added to ``touched``)."""
        for position, event in numbered:
            if not self.handles(event):
                continue
            current = records.get(event.originator_id)
            if current is not None and event.originator_version <= self.version(current):
                continue
            record = records[event.originator_id] = self.evolve(current, event)
            touched.add(event.originator_id)
            yield position, event, record


class RowRecord(Protocol):
    """A dataclass record that is one row of its projection's one table."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    version: int


W = TypeVar("W", bound=RowRecord)


class RowProjection(Projection[W]):
    """A projection whose record is one row, its fields the columns of ``tables[0]``."""

    def version(self, record: W) -> int:
        return record.version

    def write(self, tx: Tx, records: Sequence[W], *, suffix: str = "", fresh: bool = False) -> None:
        (table,) = self.tables
        if not records:
            return
        # A shallow tuple of the fields in their order: ``dataclasses.astuple`` deep-copies
        # every value, a third of a rebuild's time in the trials view.
        names = [f.name for f in fields(records[0])]
        rows = [tuple(getattr(r, name) for name in names) for r in records]
        table.write(tx, rows, suffix=suffix, fresh=fresh)


def in_list(ids: Sequence[object]) -> str:
    return "(" + ", ".join("?" for _ in ids) + ")"


def unique_ids(events: Iterable[DomainEvent]) -> list[UUID]:
    """The events' aggregates, each once, in the order they first appear."""
    return list(dict.fromkeys(e.originator_id for e in events))
