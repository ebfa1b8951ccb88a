"""The follower on real databases: restarts, other processes, late commits and gaps."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from application.clock import TestClock
from application.lists import ListQuery
from domain.customer import Customer
from domain.values import Actor, ActorKind, Policy, Source
from projections import positions
from tests.support.backends import on_both_databases
from tests.support.principals import AUDITOR
from tests.support.projections import dump, open_world
from tests.support.world import World

# The tests marked on_both_databases share one database between two "processes" (two
# service instances).


@pytest.fixture
def world(backend_url: str, clock: TestClock) -> Iterator[World]:
    with closing(open_world(backend_url, clock)) as world:
        yield world


def pending_names(world: World) -> set[str]:
    page = world.services.lists.pending(ListQuery(AUDITOR, 200))
    return {c.state.organization_name for c in page.items}


@on_both_databases
def test_a_restarted_service_resumes_from_its_stored_position(
    world: World, backend_url: str, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.add(world.msp, "Before restart")
    world.current()
    stored = world.services.store.recorder.max_notification_id()
    world.close()

    again = open_world(backend_url, clock, like=world)
    seen: list[int] = []
    customers = again.services.views.projections[0]
    real = customers.prepare

    def prepare(tx: Any, numbered: Any) -> Any:
        seen.append(len(numbered))
        return real(tx, numbered)

    monkeypatch.setattr(customers, "prepare", prepare)
    assert again.services.views.follower.position == stored

    again.add(world.msp, "After restart")
    again.current()

    assert pending_names(again) == {"Before restart", "After restart"}
    assert seen == [1]  # only the event after the stored position
    again.close()


@on_both_databases
def test_it_follows_writes_made_by_another_process(
    world: World, backend_url: str, clock: TestClock
) -> None:
    world.services.start_background()
    other = open_world(backend_url, clock, like=world)  # a second event store, same database
    try:
        other.add(world.msp, "Written elsewhere")
        deadline = time.monotonic() + 3
        while "Written elsewhere" not in pending_names(world) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pending_names(world) == {"Written elsewhere"}
        assert world.services.lists.wait_until_current(2.0)
    finally:
        other.close()


@on_both_databases
def test_two_followers_on_one_database_apply_each_event_once(
    world: World, backend_url: str, clock: TestClock
) -> None:
    other = open_world(backend_url, clock, like=world)
    try:
        world.services.start_background()
        other.services.start_background()
        for i in range(20):
            (world if i % 2 else other).add(world.msp, f"Org {i}")
        # Both sweepers record ActivationSent while the followers run: "current" means
        # up to the events committed before the wait, so stop every writer first.
        world.services.sweeper.stop()
        other.services.sweeper.stop()
        assert world.services.lists.wait_until_current(5.0)
        assert other.services.lists.wait_until_current(5.0)
        assert pending_names(world) == {f"Org {i}" for i in range(20)}
        views = world.services.views
        top = views.recorder.max_notification_id()
        assert positions.stored(views.db, ["customers", "partners"]) == {
            "customers": top,
            "partners": top,
        }
        live = dump(world.services)
    finally:
        other.close()
    world.services.views.stop()
    world.services.views.rebuild()  # one pass over the events, by one reader
    assert dump(world.services) == live


# ------------------------------------------------------------------ PostgreSQL only
@pytest.fixture
def pg_world(postgres_url: str, clock: TestClock) -> Iterator[World]:
    with closing(open_world(postgres_url, clock)) as world:
        yield world


def raw_created(world: World, name: str) -> tuple[Any, ...]:
    """A Customer.Created stored event, for writing past the library."""
    at = world.clock.now()
    event = Customer.Created(
        originator_id=uuid.uuid4(),
        originator_version=1,
        timestamp=at,
        recorded_at=at,
        actor=Actor(kind=ActorKind.ADMIN, id="raw"),
        organization_name=name,
        notification_email="raw@example.com",
        sku="ESSENTIALS_MSP_2025",
        addons=(),
        partner_id=uuid.UUID(world.other_msp.id),
        distributor_id=None,
        source=Source.MSP,
        link_expires_at=at + timedelta(days=7),
        policy=Policy(),
    )
    stored = world.services.store.mapper.to_stored_event(event)
    return (stored.originator_id, stored.originator_version, stored.topic, stored.state)


INSERT = (
    "INSERT INTO tenantry_events (originator_id, originator_version, topic, state) "
    "VALUES (%s, %s, %s, %s) RETURNING notification_id"
)


@pytest.mark.postgres
def test_an_event_that_commits_late_is_never_skipped(pg_world: World, postgres_url: str) -> None:
    world = pg_world
    world.services.start_background()
    world.add(world.msp, "Early")
    assert world.services.lists.wait_until_current(2.0)

    with psycopg.connect(postgres_url) as slow:
        slow.execute("LOCK TABLE tenantry_events IN EXCLUSIVE MODE")  # as the library does
        row = slow.execute(INSERT, raw_created(world, "Late")).fetchone()
        assert row is not None
        late_id = row[0]
        writers = [
            threading.Thread(target=world.add, args=(world.msp, f"Blocked {i}")) for i in range(3)
        ]
        for w in writers:
            w.start()
        time.sleep(0.5)  # the writers wait on the lock; the follower polls meanwhile
        assert pending_names(world) == {"Early"}
        slow.commit()
    for w in writers:
        w.join(10)

    assert world.services.lists.wait_until_current(2.0)
    assert pending_names(world) == {"Early", "Late", "Blocked 0", "Blocked 1", "Blocked 2"}
    ids = [
        n.id
        for n in world.services.store.recorder.select_notifications(late_id, 20)
        if n.topic == "Customer.Created"  # the mailer records ActivationSent meanwhile
    ]
    assert ids[0] == late_id
    assert len(ids) == 4  # the blocked writers got later ids


@pytest.mark.postgres
def test_a_rolled_back_insert_leaves_a_gap_the_follower_steps_over(
    pg_world: World, postgres_url: str
) -> None:
    world = pg_world
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute(INSERT, raw_created(world, "Rolled back")).fetchone()
        assert row is not None
        gap = row[0]
        conn.rollback()
    world.add(world.msp, "After the gap")

    assert world.services.lists.wait_until_current(2.0)
    assert pending_names(world) == {"After the gap"}
    assert world.services.views.follower.position > gap
