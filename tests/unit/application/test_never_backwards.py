"""The system clock as the service uses it: instants never decrease, whatever the wall
clock does and whatever instants were already recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from application.clock import NeverBackwards

BASE = datetime(2026, 12, 1, tzinfo=UTC)
offsets = st.integers(min_value=-10_000, max_value=10_000).map(lambda s: timedelta(seconds=s))


class Wall:
    """A wall clock that answers whatever it is told, backwards too."""

    def __init__(self) -> None:
        self.instant = BASE

    def now(self) -> datetime:
        return self.instant


@given(
    floor=st.none() | offsets,
    steps=st.lists(st.tuples(st.booleans(), offsets), max_size=30),
)
def test_instants_never_decrease_and_never_undercut_what_was_recorded(
    floor: timedelta | None, steps: list[tuple[bool, timedelta]]
) -> None:
    wall = Wall()
    clock = NeverBackwards(wall, None if floor is None else BASE + floor)
    seen = [] if floor is None else [BASE + floor]
    answers = []
    for witnessed, offset in steps:
        if witnessed:
            clock.witness(BASE + offset)
            seen.append(BASE + offset)
        else:
            wall.instant = BASE + offset
            answer = clock.now()
            assert answer >= wall.instant
            assert all(answer >= instant for instant in seen)
            answers.append(answer)
    assert answers == sorted(answers)


def test_it_follows_the_wall_clock_once_it_has_caught_up() -> None:
    wall = Wall()
    clock = NeverBackwards(wall, BASE + timedelta(hours=1))

    assert clock.now() == BASE + timedelta(hours=1)
    wall.instant = BASE + timedelta(hours=2)
    assert clock.now() == BASE + timedelta(hours=2)
