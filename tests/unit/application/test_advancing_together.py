"""Two processes advancing one shared test clock: neither jumps past an instant the
other moved the clock to before that instant's due work is settled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.background import advance_through_deadlines
from application.clock import TestClock

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOTICE = T0 + timedelta(days=11)
TRIAL_END = T0 + timedelta(days=14)


class Deadlines:
    """A notice and a trial end, as the deadlines view would answer."""

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        return next((d for d in (NOTICE, TRIAL_END) if after < d <= until), None)


def test_an_instant_another_process_moved_the_clock_to_is_settled_before_moving_on() -> None:
    # Given a shared clock that the other process moves to the notice while this one
    # settles its first instant
    clock = TestClock(T0)
    settled_at: list[datetime] = []

    def settle() -> bool:
        settled_at.append(clock.now())
        if len(settled_at) == 1:
            clock.advance_to(NOTICE)  # the other process, stepping to the notice
        return True

    # When this process advances past the trial end
    done = advance_through_deadlines(clock, Deadlines(), settle, T0 + timedelta(days=15))  # type: ignore[arg-type]
    # Then it settled at the notice before going on to the trial end
    assert done
    assert settled_at[1:] == [NOTICE, TRIAL_END, T0 + timedelta(days=15)]
