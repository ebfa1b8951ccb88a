"""The follower applies each event exactly once, in memory (POPO events, SQLite views)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import Any, cast

import pytest

from adapters.sql import open_database
from application.clock import TestClock
from application.lists import ListQuery
from domain.aggregate import DomainEvent
from projections import positions
from projections.failures import ProjectionFailed
from projections.follower import Follower
from projections.views import Views
from tests.support.principals import AUDITOR
from tests.support.projections import dump, open_world
from tests.support.world import World


@pytest.fixture
def world(clock: TestClock) -> Iterator[World]:
    with closing(open_world("memory://", clock)) as world:
        yield world


def new_follower(world: World) -> Follower:
    views = world.services.views
    return Follower(views.recorder, views.mapper, views.db, views.projections)


def test_a_redelivered_batch_changes_nothing(world: World) -> None:
    customer = world.add(world.msp, "Acme")
    world.onboard(customer)
    world.current()
    before = dump(world.services)

    stale = new_follower(world)  # starts at position 0: every event comes again
    assert stale.step() > 0

    assert dump(world.services) == before
    assert stale.position == world.services.store.recorder.max_notification_id()


def test_applying_the_same_events_twice_without_positions_changes_nothing(world: World) -> None:
    customer = world.add(world.msp, "Acme")
    world.onboard(customer)
    world.current()
    before = dump(world.services)
    views = world.services.views
    events = [
        cast(DomainEvent, views.mapper.to_domain_event(n))
        for n in views.recorder.select_notifications(0, 100, inclusive_of_start=False)
    ]

    for projection in views.projections:
        with views.db.transaction() as tx:
            projection.process(tx, events)

    assert dump(world.services) == before


def test_a_batch_that_fails_midway_leaves_rows_and_position_untouched(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.add(world.msp, "Acme")
    views = world.services.views
    before = dump(world.services)
    for projection in views.projections:  # every event fails, after writing its rows

        def write_then_fail(tx: Any, records: Any, real: Any = projection.write, **kw: Any) -> None:
            real(tx, records, **kw)
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(projection, "write", write_then_fail)
    with pytest.raises(ProjectionFailed) as failed:
        new_follower(world).step()

    assert isinstance(failed.value.__cause__, RuntimeError)
    assert dump(world.services) == before
    assert positions.stored(views.db, ["customers", "partners"]) == {"customers": 0, "partners": 0}
    monkeypatch.undo()
    world.current()
    assert dump(world.services) != before


def test_small_batches_give_the_same_views_as_large_ones(world: World) -> None:
    for name in ("A", "B", "C", "D"):
        world.onboard(world.add(world.other_msp, name))
    world.current()
    live = world.services.views
    small = Views(
        open_database("memory://"),
        live.recorder,
        live.mapper,
        world.services.settings.policy,
        live.histories,
        batch_size=2,
    )

    assert small.wait_until_current(5.0)

    assert dump(small) == dump(world.services)
    small.close()


def test_the_background_follower_reads_your_writes(world: World) -> None:
    world.services.start_background()
    customer = world.add(world.msp, "Acme")

    assert world.services.lists.wait_until_current(2.0)

    page = world.services.lists.pending(ListQuery(AUDITOR, 10))
    assert [c.id for c in page.items] == [customer]
    world.services.views.stop()
    assert not world.services.views.follower.running
