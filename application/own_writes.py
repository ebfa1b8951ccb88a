"""Read your own writes: the position each write reached, for its answer and for the
lists of those who can see what it changed.

A position is the notification id of the newest event a save stored. Two things keep it:

- ``Written``, one per request being served: the newest position the request's saves
  reached, which its answer carries (``Tenantry-Position``) and a later read may send
  back. That is the guarantee across processes.
- ``OwnWrites``, one per process: for each *party* (a partner, or everyone who sees every
  customer), the newest position this process's saves reached on what the party can
  see. A list waits for its viewer's parties only, so one partner's burst never holds up
  another partner's page. That is the guarantee within one process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

from application.authorization import Visibility
from domain.aggregate import Aggregate
from domain.customer import Customer
from domain.partner import Partner

EVERYONE = "*"  # the party of the principals who see every customer (auditor, admin)
CAPACITY = 10_000


def party(partner_id: UUID) -> str:
    return str(partner_id)


def parties_of(aggregate: Aggregate) -> set[str]:
    """Who can see a change of ``aggregate`` in a list: its owner and distributor, and
    those who see everything."""
    owners: tuple[UUID | None, ...] = ()
    if isinstance(aggregate, Customer):
        owners = (aggregate.state.partner_id, aggregate.state.distributor_id)
    elif isinstance(aggregate, Partner):
        owners = (aggregate.id, aggregate.state.distributor_id)
    return {EVERYONE} | {party(p) for p in owners if p is not None}


def parties_seeing(visible: Visibility) -> set[str]:
    """The parties whose writes a viewer with ``visible`` may see."""
    if visible.everything:
        return {EVERYONE}
    return {party(p) for p in (visible.owner, visible.distributor) if p is not None}


@dataclass
class Written:
    """The newest position the saves of one request reached (None: it saved nothing)."""

    position: int | None = None

    def reached(self, position: int) -> None:
        self.position = position if self.position is None else max(self.position, position)


_WRITTEN: ContextVar[Written | None] = ContextVar("tenantry_written", default=None)


@contextmanager
def writing() -> Iterator[Written]:
    """Saves made inside (in any worker thread the request's context follows) are noted
    in the ``Written`` this yields."""
    written = Written()
    token = _WRITTEN.set(written)
    try:
        yield written
    finally:
        _WRITTEN.reset(token)


def _never() -> int:
    return 0


class OwnWrites:
    """Per party, the newest position this process's saves reached, in bounded memory.

    A party is kept only while the views may still be behind its position: when more
    than ``capacity`` parties are kept, those the views have ``reached`` go; if that is
    not enough, the longest unchanged go and ``floor`` keeps the newest position among
    them, which every party then waits for (never less than it wrote: the safe side).
    """

    def __init__(self, capacity: int = CAPACITY, reached: Callable[[], int] = _never) -> None:
        self.capacity = capacity
        self.reached = reached
        self.floor = 0
        self._positions: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, parties: Iterable[str], position: int) -> None:
        written = _WRITTEN.get()
        if written is not None:
            written.reached(position)
        with self._lock:
            for name in parties:
                if self._positions.get(name, 0) < position:
                    self._positions[name] = position
                    self._positions.move_to_end(name)
            if len(self._positions) > self.capacity:
                self._shrink()

    def of(self, parties: Iterable[str]) -> int:
        """The newest position the writes seen by ``parties`` reached (0: none kept)."""
        with self._lock:
            return max((self._positions.get(p, self.floor) for p in parties), default=0)

    def __len__(self) -> int:
        return len(self._positions)

    def _shrink(self) -> None:
        reached = self.reached()
        for name in [n for n, p in self._positions.items() if p <= reached]:
            del self._positions[name]
        while len(self._positions) > self.capacity:
            _, position = self._positions.popitem(last=False)
            self.floor = max(self.floor, position)
