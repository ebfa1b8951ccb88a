"""What stepping the test clock reads and writes, on each backend: the next deadline
from the deadlines view, and the persisted clock moved forward to an instant."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from adapters.clock_store import PersistedTestClock
from application.clock import TestClock
from tests.support.backends import BOTH_DATABASES
from tests.support.projections import open_world
from tests.support.world import World


def test_the_next_deadline_is_the_earliest_after_now_up_to_the_target(world: World) -> None:
    first = world.add(world.msp, "Acme")
    world.services.customers.record_activation_sent(first, link_version=1, message_id="m")
    world.onboard(first)
    onboarded_at = world.clock.now()
    world.current()
    lists = world.services.due_work
    notice, trial_end = onboarded_at + timedelta(days=11), onboarded_at + timedelta(days=14)

    assert lists.next_due(onboarded_at, onboarded_at + timedelta(days=30)) == notice
    assert lists.next_due(notice, onboarded_at + timedelta(days=30)) == trial_end
    assert lists.next_due(onboarded_at, notice) == notice  # the target itself counts
    assert lists.next_due(onboarded_at, notice - timedelta(microseconds=1)) is None
    assert lists.next_due(trial_end, trial_end + timedelta(days=365)) is None


def test_a_deadline_set_aside_is_neither_taken_nor_outstanding_in_any_process(
    world: World, database_url: str
) -> None:
    world.add(world.msp, "Acme")
    world.current()
    now = world.clock.now()
    [deadline] = world.services.due_work.due(now, 10)
    assert world.services.due_work.claim(deadline, "worker-1", time.time() + 60)
    assert world.services.due_work.outstanding(now)  # work under way counts

    world.services.due_work.set_aside(deadline, time.time() + 3600)

    shared = database_url != "memory://"  # an in-memory store has no other process
    other = open_world(database_url, world.clock, like=world) if shared else world
    try:
        for lists in {id(w): w.services.due_work for w in (world, other)}.values():
            assert not lists.outstanding(now)
            assert lists.due(now, 10) == []
            assert not lists.claim(deadline, "worker-2", time.time() + 60)
        later = world.add(world.msp, "Fabrikam")  # other work is outstanding as ever
        world.current()
        assert [d.customer_id for d in world.services.due_work.due(world.clock.now(), 10)] == [
            later
        ]
        assert world.services.due_work.outstanding(world.clock.now())
    finally:
        if shared:
            other.close()


@pytest.mark.parametrize("backend", BOTH_DATABASES)
def test_the_persisted_clock_moves_forward_to_an_instant_and_never_back(
    backend: str, request: pytest.FixtureRequest, clock: TestClock
) -> None:
    world = open_world(str(request.getfixturevalue(f"{backend}_url")), clock)
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
