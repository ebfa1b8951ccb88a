"""Where the tests' time starts: every test clock and every recorded history begins here."""

from __future__ import annotations

from datetime import UTC, datetime

from application.clock import TestClock

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def a_clock(at: datetime = START) -> TestClock:
    """A clock that moves only when a test moves it."""
    return TestClock(at)
