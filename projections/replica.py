"""The lists read on a streaming replica of the views' database, the primary's own
reader standing by.

The follower writes the views on the primary; the replica receives them, and the
customers projection's ``projection_positions`` row with them. That row, read on the
replica, is how far the replica's views are. A list that must reflect a position
(a write's, application/own_writes.py) waits until the primary's views reach it, then
until the replica's do, within the same bound; when the replica is not there in time,
the primary answers. A list without a position answers from the replica as it is.
A replica that cannot answer (down, unreachable: ``Database.unavailable``; or new, and
not yet holding the views' tables: ``Database.missing``) is set aside for a few
seconds, and the primary answers meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from application.backoff import Backoff
from application.lists import CustomerLists, ListQuery, Page
from domain.customer import Customer
from domain.values import Status
from projections.customers import CustomerViews
from projections.positions import stored
from projections.reader import CustomerReader
from projections.sql import Database

SET_ASIDE_S = 5.0  # a replica that could not answer is not asked again for this long
LOOKS = Backoff(first=0.002, longest=0.05)  # between two looks at the replica's position


class ReplicaReader(CustomerLists):
    """Lists from ``replica`` (a reader on the replica's database) unless a position
    it has not reached in time sends them to ``primary`` (the views' own reader), or
    the replica cannot answer (then it is set aside for ``SET_ASIDE_S`` seconds)."""

    def __init__(self, replica: CustomerReader, primary: CustomerReader) -> None:
        self.replica = replica
        self.primary = primary
        self.replica_reads = 0  # lists the replica answered
        self.primary_reads = 0  # lists the primary answered: the replica was behind or down
        self._count = threading.Lock()
        self._set_aside_until = 0.0

    # The replica answers unless ``reaching`` chose the primary, or it cannot answer.
    def pending(self, query: ListQuery) -> Page[Customer]:
        return self._read(lambda lists: lists.pending(query))

    def onboarded(self, query: ListQuery, status: Status | None = None) -> Page[Customer]:
        return self._read(lambda lists: lists.onboarded(query, status))

    def _read(self, page: Callable[[CustomerLists], Page[Customer]]) -> Page[Customer]:
        if time.monotonic() >= self._set_aside_until:
            try:
                found = page(self.replica)
            except self.replica.db.unavailable + self.replica.db.missing:
                self._set_aside_until = time.monotonic() + SET_ASIDE_S
            else:
                self.counted(replica=True)
                return found
        return page(self._fallen_back())

    def reaching(self, position: int, timeout: float) -> CustomerLists:
        """The replica's lists once its views reflect ``position``; the primary's when
        they do not within ``timeout`` seconds (its views waited on within the same
        bound)."""
        deadline = time.monotonic() + timeout
        reached = self.replica_position()
        if reached >= position:
            return self
        if reached < 0:  # set aside: the primary answers once its views are there
            self.primary.wait_until(position, timeout)
            return self._fallen_back()
        if not self.primary.wait_until(position, timeout):
            return self._fallen_back()  # the replica cannot be ahead of the primary
        looks = 0
        while (reached := self.replica_position()) < position:
            remaining = deadline - time.monotonic()
            if reached < 0 or remaining <= 0:
                return self._fallen_back()
            looks += 1
            time.sleep(min(LOOKS.pause(looks), remaining))
        return self

    def replica_position(self) -> int:
        """The position of the customer views on the replica, as replicated (-1: the
        replica cannot answer, and is set aside for a few seconds)."""
        name = CustomerViews.name
        if time.monotonic() < self._set_aside_until:
            return -1
        try:
            return stored(self.replica.db, [name]).get(name, 0)
        except self.replica.db.unavailable + self.replica.db.missing:
            self._set_aside_until = time.monotonic() + SET_ASIDE_S
            return -1

    # The primary's views: what the views reflect, and due work, are decided there.
    def wait_until(self, position: int, timeout: float) -> bool:
        return self.primary.wait_until(position, timeout)

    def wait_until_current(self, timeout: float) -> bool:
        return self.primary.wait_until_current(timeout)

    def count_due(self, now: datetime) -> int:
        return self.primary.count_due(now)

    def replica_lag(self) -> int:
        """How many positions the replica's customer views are behind the primary's."""
        return max(0, self.primary_position() - self.replica_position())

    def primary_position(self) -> int:
        name = CustomerViews.name
        return stored(self.primary.db, [name]).get(name, 0)

    def close(self) -> None:
        self.replica.db.close()

    def _fallen_back(self) -> CustomerLists:
        return _Counted(self.primary, self)

    def counted(self, *, replica: bool) -> None:
        with self._count:
            if replica:
                self.replica_reads += 1
            else:
                self.primary_reads += 1


class _Counted(CustomerLists):
    """The primary's lists, counted as the replica's fallbacks."""

    def __init__(self, primary: CustomerReader, counter: ReplicaReader) -> None:
        self.primary = primary
        self.counter = counter

    def pending(self, query: ListQuery) -> Page[Customer]:
        self.counter.counted(replica=False)
        return self.primary.pending(query)

    def onboarded(self, query: ListQuery, status: Status | None = None) -> Page[Customer]:
        self.counter.counted(replica=False)
        return self.primary.onboarded(query, status)

    def reaching(self, position: int, timeout: float) -> CustomerLists:
        return self.counter.reaching(position, timeout)

    def wait_until(self, position: int, timeout: float) -> bool:
        return self.primary.wait_until(position, timeout)

    def wait_until_current(self, timeout: float) -> bool:
        return self.primary.wait_until_current(timeout)


def on_replica(db: Database, primary: CustomerReader) -> ReplicaReader:
    """Lists read on ``db`` (a replica of the views' database), ``primary`` standing by."""
    reader = CustomerReader(db, primary.wait_until, primary.wait_until_current)
    return ReplicaReader(reader, primary)
