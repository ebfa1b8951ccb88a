"""A test double of the deadlines view: computes due work straight from the aggregates.

Slow (it loads every customer) but obviously right, so process-manager tests do not
depend on the projections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.event_store import LibraryEventStore
from domain.customer import Customer, Deadline
from domain.values import Policy

SET_ASIDE = "(set aside)"


class DeadlinesFromAggregates:
    def __init__(self, store: LibraryEventStore, policy: Policy) -> None:
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

    def outstanding(self, now: datetime) -> bool:
        return any(not self.is_set_aside(d) for d in self.due(now, 10**9))

    def set_aside(self, deadline: Deadline, until: float) -> None:
        with self.lock:
            self.claims[(deadline.customer_id, deadline.kind, deadline.due_at)] = (SET_ASIDE, until)

    def is_set_aside(self, deadline: Deadline) -> bool:
        holder = self.claims.get((deadline.customer_id, deadline.kind, deadline.due_at))
        return holder is not None and holder[0] == SET_ASIDE and holder[1] > time.time()

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

    def claim_many(self, deadlines: Sequence[Deadline], owner: str, until: float) -> list[Deadline]:
        return [d for d in deadlines if self.claim(d, owner, until)]
