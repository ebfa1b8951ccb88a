"""When a webhook delivery is tried again (``next_attempt``: the schedule, its jitter and
the receiver's ``Retry-After``); who is told that an endpoint was disabled, and how, is
in ``webhook_alerts``."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from application.webhook_ports import Answer

SCHEDULE = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18_000, 36_000, 36_000)
)  # after failed attempt 1, 2, …
JITTER = 0.1
LONGEST_RETRY_AFTER = timedelta(hours=24)
GONE, TOO_MANY, UNAVAILABLE = 410, 429, 503


def next_attempt(number: int, answer: Answer, now: datetime) -> datetime | None:
    """When to try again after failed attempt ``number`` (None: no more tries)."""
    if number > len(SCHEDULE):
        return None
    delay = SCHEDULE[number - 1] * (1 + random.uniform(0, JITTER))  # noqa: S311
    if answer.status in (TOO_MANY, UNAVAILABLE) and answer.retry_after_s is not None:
        asked = min(timedelta(seconds=answer.retry_after_s), LONGEST_RETRY_AFTER)
        delay = max(delay, asked)
    return now + delay
