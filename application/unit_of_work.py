"""Load, decide, save, and start again from a fresh load when another writer won."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.errors import Busy, NotFound, PreconditionFailed
from application.store import EventStore, replay
from domain.aggregate import Aggregate

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 50


class UnitOfWork:
    def __init__(self, store: EventStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def load(self, kind: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        try:
            aggregate: object = self.store.repository.get(
                aggregate_id, version=version, projector_func=replay
            )
        except AggregateNotFoundError:
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
        return aggregate

    def change(
        self,
        kind: type[A],
        aggregate_id: UUID,
        decide: Callable[[A, datetime], object],
        expected_version: int | None = None,
    ) -> tuple[A, int | None]:
        """Run ``decide`` on a fresh copy until it saves without a conflict.

        A conflict means another command landed first: the next attempt sees its
        events, so the second command succeeds or is refused for the domain's reason.
        """
        for attempt in range(MAX_ATTEMPTS):
            aggregate = self.load(kind, aggregate_id)
            if expected_version is not None and aggregate.version != expected_version:
                raise PreconditionFailed(expected_version, aggregate.version)
            decide(aggregate, self.clock.now())
            try:
                return aggregate, self.save(aggregate)
            except IntegrityError:
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311
        raise Busy(f"{kind.__name__} {aggregate_id} is too busy; try again")

    def save(self, *aggregates: Aggregate) -> int | None:
        recordings = self.store.save(*aggregates)
        return max((r.notification.id for r in recordings), default=None)

    def create(self, aggregate: Aggregate) -> int | None:
        try:
            return self.save(aggregate)
        except IntegrityError:
            raise Busy(f"{aggregate.id} exists already") from None
