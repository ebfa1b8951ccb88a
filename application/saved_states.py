"""The last state this process saved of each aggregate, so a command can skip the read
(application/unit_of_work.py checks every answer decided on it against a fresh load)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from uuid import UUID

from domain.aggregate import Aggregate

CACHE_SIZE = 10_000


class SavedStates:
    """The aggregates this process saved last, handed out as private copies."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        with self._lock:
            found = self._items.get(aggregate_id)
            if found is None:
                return None
            self._items.move_to_end(aggregate_id)
        return found.clone()

    def version_of(self, aggregate_id: UUID) -> int | None:
        """The version this process last saved, if it is still kept."""
        found = self._items.get(aggregate_id)
        return None if found is None else found.version

    def put(self, aggregate: Aggregate) -> None:
        """Keep ``aggregate`` as saved; the caller must not change it afterwards."""
        with self._lock:
            self._items[aggregate.id] = aggregate
            self._items.move_to_end(aggregate.id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, aggregate_id: UUID) -> None:
        with self._lock:
            self._items.pop(aggregate_id, None)
