"""Settling the due work goes on through a failure the views' follower retries (a
deadlock, a lost connection) and gives up on one that stays."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

import application.background
from application.background import settle


@dataclass
class Report:
    done: int = 0


class Clock:
    def now(self) -> int:
        return 0


class NothingDue:
    def outstanding(self, now: object) -> bool:
        return False


@dataclass
class Manager:
    clock: Clock = field(default_factory=Clock)
    due_work: NothingDue = field(default_factory=NothingDue)

    def sweep(self) -> Report:
        return Report()


class Lists:
    def wait_until_current(self, timeout: float) -> bool:
        return True


def test_a_failure_the_follower_retries_does_not_end_the_settling() -> None:
    # Given views whose follower fails for half a second, then applies the event
    failing_until = time.monotonic() + 0.5
    # When the due work is settled
    done = settle(
        Lists(), Manager(), timeout=10, advancing=lambda: time.monotonic() > failing_until
    )  # type: ignore[arg-type]
    # Then it settles, after the retry
    assert done


def test_a_failure_that_stays_ends_the_settling(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given views that cannot take an event, and a short patience
    monkeypatch.setattr(application.background, "STUCK_S", 0.3)
    started = time.monotonic()
    # When the due work is settled
    done = settle(Lists(), Manager(), timeout=10, advancing=lambda: False)  # type: ignore[arg-type]
    # Then it gives up once the failure has lasted that long, not at the timeout
    assert not done
    assert time.monotonic() - started < 5
