"""Events the views cannot take as they are: text recorded before the domain refused
NUL (kept in the views with U+FFFD on both backends), and an event that cannot be
applied at all (the follower names it, and stops there, never silently)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import closing

import pytest
from eventsourcing.persistence import StoredEvent

from application.clock import TestClock
from application.lists import ListQuery
from domain.customer import Customer
from domain.values import PartnerKind
from projections.failures import ProjectionFailed
from projections.schema import PARTNERS
from tests.support.backends import on_both_databases
from tests.support.legacy import before_the_text_rule
from tests.support.principals import AUDITOR
from tests.support.projections import dump, open_world
from tests.support.world import World

SECRET = "Jane Secret-Person"


pytestmark = on_both_databases


@pytest.fixture
def world(backend_url: str, clock: TestClock) -> Iterator[World]:
    with closing(open_world(backend_url, clock)) as world:
        yield world


def pending_names(world: World) -> list[str]:
    page = world.services.lists.pending(ListQuery(AUDITOR, 200))
    return sorted(c.state.organization_name for c in page.items)


def an_event_no_view_can_take(world: World) -> int:
    """A stored event that does not decode (a name, but none of the other fields), signed
    as the service signs what it writes: its MAC holds, its content does not."""
    payload = json.dumps({"organization_name": SECRET}).encode()
    originator_id = uuid.uuid4()
    state = world.services.macs.sign(originator_id, 1, Customer.Created.TOPIC, payload)
    recorder = world.services.store.recorder
    stored = StoredEvent(originator_id, 1, Customer.Created.TOPIC, state)
    recorder.insert_events([stored])
    return recorder.max_notification_id() or 0


def test_a_nul_recorded_before_it_was_refused_is_kept_as_a_replacement_character(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a history recorded before the domain refused NUL
    before_the_text_rule(monkeypatch)
    customer_id = world.add(world.msp, "Contoso\x00Ltd")
    world.partner("Acme\x00MSP", PartnerKind.MSP, None)
    # When the views follow it, and are rebuilt from it
    world.current()
    live = dump(world.services)
    world.services.views.rebuild()
    # Then both backends keep the same views, which keep going; the event says what was said
    assert pending_names(world) == ["Contoso\ufffdLtd"]
    assert dump(world.services) == live
    partners = world.services.views.db.rows(f"SELECT name FROM {PARTNERS.name}")
    assert "Acme\ufffdMSP" in {r["name"] for r in partners}
    assert world.services.lists.wait_until_current(1.0)
    history = world.services.queries.history(customer_id, by=AUDITOR)
    assert history.events[0].data["organization_name"] == "Contoso\x00Ltd"


def test_the_follower_names_the_event_it_cannot_apply_and_stops_just_before_it(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # Given good events around one that no view can take, all in one batch
    world.add(world.msp, "Before")
    poison = an_event_no_view_can_take(world)
    world.add(world.msp, "After")
    follower = world.services.views.follower
    # When the follower catches up
    with pytest.raises(ProjectionFailed) as caught:
        follower.catch_up()
    # Then it failed on that event alone, and applied every event before it
    assert (caught.value.position, caught.value.event_type) == (poison, Customer.Created.TOPIC)
    assert follower.position == poison - 1
    assert pending_names(world) == ["Before"]
    # and it says so: not advancing, counted, logged without the event's data
    with caplog.at_level(logging.ERROR, "projections.follower"):
        follower.report(caught.value)
    assert not follower.advancing
    assert follower.failures == 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "projections.follower"]
    assert f"event {poison} ({Customer.Created.TOPIC})" in line
    assert "ValidationError" in line
    assert SECRET not in line
    assert SECRET not in str(caught.value)


def test_a_rebuild_names_the_event_it_cannot_decode_and_keeps_the_old_views(
    world: World,
) -> None:
    world.add(world.msp, "Before")
    world.current()
    before = dump(world.services)
    poison = an_event_no_view_can_take(world)
    with pytest.raises(ProjectionFailed) as caught:
        world.services.views.rebuild()
    assert (caught.value.position, caught.value.event_type) == (poison, Customer.Created.TOPIC)
    assert SECRET not in str(caught.value)
    assert dump(world.services) == before
