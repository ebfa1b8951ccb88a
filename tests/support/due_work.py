"""A test double of the deadlines view: computes due work straight from the aggregates.

Slow (it loads every customer) but obviously right, so process-manager tests do not
depend on the projections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Set
from datetime import datetime
from uuid import UUID

from application.store import EventStore
from domain.customer import Customer, Deadline
from domain.values import Policy


class DeadlinesFromAggregates:
    def __init__(self, store: EventStore, policy: Policy) -> None:
        self.store = store
        self.policy = policy
        self.claims: dict[tuple[UUID, str, datetime], tuple[str, float]] = {}
        self.lock = threading.Lock()

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        found: list[Deadline] = []
        ids = {n.originator_id for n in self.store.recorder.select_notifications(1, 10**9)}
        for customer_id in ids:
            aggregate = self.store.repository.get(customer_id)
            if not isinstance(aggregate, Customer):
                continue
            for kind, due_at in aggregate.deadlines(self.policy).items():
                if due_at <= now:
                    found.append(Deadline(aggregate.id, kind, due_at))
        return sorted(found, key=lambda d: d.due_at)[:limit]

    def outstanding(self, now: datetime, ignoring: Set[tuple[UUID, str]] = frozenset()) -> bool:
        return any((d.customer_id, d.kind) not in ignoring for d in self.due(now, 10**9))

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        later = [d.due_at for d in self.due(until, 10**9) if d.due_at > after]
        return min(later, default=None)

    def claim(self, deadline: Deadline, owner: str, until: float) -> bool:
        key = (deadline.customer_id, deadline.kind, deadline.due_at)
        with self.lock:
            holder = self.claims.get(key)
            if holder and holder[0] != owner and holder[1] > time.time():
                return False
            self.claims[key] = (owner, until)
            return True
