"""A rebuild reads the events history by history and writes each record when its history
ends: it holds one page of events and one chunk of records, however many customers."""

from __future__ import annotations

from typing import Any

import pytest

from projections import rebuild
from projections.rebuild import Build
from tests.support.projections import dump
from tests.support.world import World


def test_a_rebuild_holds_only_the_history_its_page_ended_in(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given customers whose events interleave in the log
    customers = [world.add(name=f"Customer {i}") for i in range(6)]
    for customer_id in customers[::2]:
        world.onboard(customer_id)
    world.current()
    live = dump(world.services)
    # And a rebuild that reads pages of 2 events and writes chunks of 3 records
    monkeypatch.setattr(rebuild, "WRITE_CHUNK", 3)
    held: list[int] = []
    feed = Build.feed

    def watched(self: Build, *args: Any, **kwargs: Any) -> None:
        feed(self, *args, **kwargs)
        held.append(len(self.records) + len(self.ready))

    monkeypatch.setattr(Build, "feed", watched)
    views = world.services.views
    # When the views are rebuilt
    done = rebuild.rebuild_all(
        views.db, views.recorder, views.histories, views.mapper, views.projections, batch_size=2
    )
    views.follower.refresh()
    # Then no more than a chunk and the unfinished history were ever held
    assert held
    assert max(held) <= 3 + 1
    # And the rebuilt views equal the live ones, at the head of the log
    assert dump(world.services) == live
    head = views.recorder.max_notification_id()
    assert set(done.values()) == {head}
