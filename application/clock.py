"""Time comes from a Clock, never from the wall clock directly."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


class Clock(Protocol):
    def now(self) -> datetime: ...


@runtime_checkable
class SettableClock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, delta: timedelta) -> datetime: ...

    def advance_to(self, instant: datetime) -> datetime:
        """Move forward to ``instant``; stay where it is if that is already past."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class TestClock:
    """A clock that stands still until told to move, and only moves forward."""

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
