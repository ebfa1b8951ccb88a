"""When a failed delivery is tried again: the schedule, its jitter, and Retry-After."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.webhook_dispatch import JITTER, SCHEDULE, next_attempt
from application.webhook_ports import Answer
from tests.support.events import T0

EXPECTED = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]


def test_the_schedule_after_each_failure_then_no_more_tries() -> None:
    assert [d.total_seconds() for d in SCHEDULE] == EXPECTED
    failed = Answer(status=500, duration_ms=3)
    for number, seconds in enumerate(EXPECTED, start=1):
        later = next_attempt(number, failed, T0)
        assert later is not None
        assert timedelta(seconds=seconds) <= later - T0 <= timedelta(seconds=seconds * (1 + JITTER))
    assert next_attempt(len(EXPECTED) + 1, failed, T0) is None


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_on_429_and_503_is_honoured(status: int) -> None:
    answer = Answer(status=status, duration_ms=3, retry_after_s=600)
    later = next_attempt(1, answer, T0)
    assert later is not None
    assert later - T0 == timedelta(seconds=600)


def test_retry_after_is_ignored_on_other_failures_and_capped_at_a_day() -> None:
    other = next_attempt(1, Answer(500, 3, retry_after_s=600), T0)
    assert other is not None
    assert other - T0 < timedelta(seconds=6)
    capped = next_attempt(1, Answer(503, 3, retry_after_s=10**9), T0)
    assert capped is not None
    assert capped - T0 == timedelta(hours=24)


@pytest.mark.parametrize(
    ("status", "ok"),
    [(200, True), (204, True), (301, False), (302, False), (404, False), (None, False)],
)
def test_only_a_2xx_is_a_success(status: int | None, ok: bool) -> None:
    assert Answer(status=status, duration_ms=1).ok is ok
