"""Time comes from a Clock, never from the wall clock directly."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from domain.aggregate import DomainEvent


class Clock(Protocol):
    def now(self) -> datetime: ...


class SettableClock(ABC):
    """A clock that stands still until told to move, and only moves forward (the test
    clock). Only a clock of this type can be advanced; the system clock is not one."""

    @abstractmethod
    def now(self) -> datetime: ...

    @abstractmethod
    def advance(self, delta: timedelta) -> datetime: ...

    @abstractmethod
    def advance_to(self, instant: datetime) -> datetime:
        """Move forward to ``instant``; stay where it is if that is already past."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class TestClock(SettableClock):
    """The settable clock in memory, for one process."""

    __test__ = False  # not a pytest test class

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the test clock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the test clock only moves forward")
        with self._lock:
            self._now += delta
            return self._now

    def advance_to(self, instant: datetime) -> datetime:
        with self._lock:
            self._now = max(self._now, instant.astimezone(UTC))
            return self._now

    def set(self, instant: datetime) -> datetime:
        with self._lock:
            if instant < self._now:
                raise ValueError("the test clock only moves forward")
            self._now = instant.astimezone(UTC)
            return self._now


class NeverBackwards:
    """The system clock, but never earlier than an instant already recorded.

    ``floor`` is the newest ``recorded_at`` in the store when the process starts (e.g.
    after a run on the test clock, which may be ahead of the wall clock); ``witness``
    raises it for every event this process's follower reads, so instants recorded by
    other processes count too. Until the wall clock catches up, it answers the floor.
    """

    def __init__(self, inner: Clock, floor: datetime | None = None) -> None:
        self.inner = inner
        self._last = floor.astimezone(UTC) if floor is not None else None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        instant = self.inner.now()
        with self._lock:
            if self._last is None or instant > self._last:
                self._last = instant
            return self._last

    def observe(self, events: Sequence[DomainEvent]) -> None:
        """The follower's hook: events recorded by any process."""
        for event in events:
            self.witness(event.recorded_at)

    def lost_track(self) -> None:
        """Nothing to forget: an instant seen stays seen."""

    def witness(self, instant: datetime) -> None:
        with self._lock:
            if self._last is None or instant > self._last:
                self._last = instant.astimezone(UTC)
