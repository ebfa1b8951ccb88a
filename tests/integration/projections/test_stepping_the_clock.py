"""What stepping the test clock reads and writes, on each backend: the next deadline
from the deadlines view, and the persisted clock moved forward to an instant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from api.persisted_clock import PersistedTestClock
from application.clock import TestClock
from tests.projections_support import World


@pytest.fixture
def world(database_url: str, clock: TestClock) -> Iterator[World]:
    w = World(database_url, clock)
    yield w
    w.close()


def test_the_next_deadline_is_the_earliest_after_now_up_to_the_target(world: World) -> None:
    first = world.add(world.msp, "Acme")
    world.services.customers.record_activation_sent(first, link_version=1, message_id="m")
    world.onboard(first)
    onboarded_at = world.clock.now()
    world.current()
    lists = world.services.lists
    notice, trial_end = onboarded_at + timedelta(days=11), onboarded_at + timedelta(days=14)

    assert lists.next_due(onboarded_at, onboarded_at + timedelta(days=30)) == notice
    assert lists.next_due(notice, onboarded_at + timedelta(days=30)) == trial_end
    assert lists.next_due(onboarded_at, notice) == notice  # the target itself counts
    assert lists.next_due(onboarded_at, notice - timedelta(microseconds=1)) is None
    assert lists.next_due(trial_end, trial_end + timedelta(days=365)) is None


def test_due_work_other_than_the_ignored_is_outstanding(world: World) -> None:
    customer_id = world.add(world.msp, "Acme")
    world.current()
    lists = world.services.lists
    now = world.clock.now()

    assert lists.outstanding(now)
    assert not lists.outstanding(now, frozenset({(customer_id, "activation_email")}))
    other = world.add(world.msp, "Fabrikam")
    world.current()
    assert lists.outstanding(world.clock.now(), frozenset({(customer_id, "activation_email")}))
    assert not lists.outstanding(
        world.clock.now(),
        frozenset({(customer_id, "activation_email"), (other, "activation_email")}),
    )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_persisted_clock_moves_forward_to_an_instant_and_never_back(
    backend: str, request: pytest.FixtureRequest, clock: TestClock
) -> None:
    world = World(str(request.getfixturevalue(f"{backend}_url")), clock)
    try:
        one = PersistedTestClock(world.services.views.db)
        other = PersistedTestClock(world.services.views.db)  # as another process sees it
        start = one.now()
        later = start + timedelta(days=4, microseconds=250)

        assert one.advance_to(later) == later
        assert other.now() == later
        assert other.advance_to(start) == later  # already past: it stays
        assert one.now() == later
    finally:
        world.close()
