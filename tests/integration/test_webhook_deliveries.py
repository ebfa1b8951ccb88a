"""Deliveries from the notification log, on SQLite and PostgreSQL: enqueued once for
every matching endpoint, never again by a rebuild or a second follower; retried, then
the endpoint disabled and its alert address emailed once; a hanging receiver holds up
nobody else."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from api.bootstrap import Services
from application.clock import TestClock
from application.webhook_dispatch import SCHEDULE
from application.webhook_ports import Delivery
from tests.support.backends import on_both_databases
from tests.support.receiver import Receiver
from tests.support.webhook_world import (
    endpoint_for,
    sends_due,
    service_settings,
    services,
    world,
)
from tests.support.world import World, open_services

__all__ = ["service_settings", "services", "world"]  # fixtures
pytestmark = on_both_databases


def deliveries(services: Services) -> list[Delivery]:
    """Every delivery enqueued, of every endpoint."""
    services.views.wait_until_current()
    found = []
    for endpoint in services.views.webhook_routes.endpoint_ids(None):
        found += services.deliveries.queue.of_endpoint(endpoint, 10_000)
    return found


def test_given_two_followers_and_a_rebuild_then_each_event_is_enqueued_once_per_endpoint(
    world: World, receiver: Receiver, backend_url: str, clock: TestClock
) -> None:
    endpoint_for(world, receiver.url)
    endpoint_for(world, receiver.url, event_types=["customer.created"])
    world.add()
    world.add(name="Fabrikam")
    other = open_services(backend_url, clock, webhooks_allow_insecure=True)
    try:
        other.views.wait_until_current()  # a second process follows the same log
        first = deliveries(world.services)
        assert len(first) == 4
        world.services.views.rebuild()
        world.add(name="Tailspin")
        other.views.wait_until_current()
        after = deliveries(world.services)
    finally:
        other.close()
    assert len(after) == 6
    assert {d.id for d in first} <= {d.id for d in after}
    assert receiver.received == []  # no sender ran


def test_given_a_failing_endpoint_then_it_is_retried_on_schedule_then_disabled_and_emailed_once(
    world: World, receiver: Receiver, tenantry_home: Path
) -> None:
    endpoint_id, _ = endpoint_for(
        world, receiver.url, event_types=["customer.created"], alert_email="ops@msp.example"
    )
    receiver.status = 500
    world.add()
    assert sends_due(world.services) == 1
    for delay in SCHEDULE[:3]:
        assert sends_due(world.services) == 0  # not due yet
        world.clock.advance(delay * 1.11)
        assert sends_due(world.services) == 1
    world.clock.advance(timedelta(days=3))
    sends_due(world.services)
    endpoint = world.services.webhooks.get(
        world.services.webhooks.list(by=world.msp)[0].id, by=world.msp
    )
    assert str(endpoint.id) == endpoint_id
    assert endpoint.disabled
    assert "failing since" in (endpoint.disabled_reason or "")
    world.add(name="Fabrikam")
    world.clock.advance(timedelta(days=1))
    sends_due(world.services)
    outbox = list((tenantry_home / "var" / "outbox").glob("*.eml"))
    alerts = [p for p in outbox if "webhook endpoint was disabled" in p.read_text()]
    assert len(alerts) == 1
    history = world.services.deliveries.of_endpoint(endpoint.id, by=world.msp, limit=10)
    assert [len(attempts) for _, attempts in history][-1] == 5
    assert {d.status for d, _ in history} == {"cancelled"}  # nothing more goes to it


def test_given_a_hanging_receiver_with_a_backlog_then_another_endpoint_gets_its_deliveries(
    world: World, receiver: Receiver
) -> None:
    hanging = Receiver(path="/slow").start()
    try:
        hanging.hang_s = 60  # the figure: longer than the 15 s an attempt may take
        endpoint_for(world, hanging.url, event_types=["customer.created"])
        for n in range(12):  # more deliveries waiting for it than a process has senders
            world.add(name=f"Backlog {n}")
        _, secret = endpoint_for(world, receiver.url, event_types=["customer.created"])
        receiver.secrets = [secret]
        world.add(name="Fabrikam")
        world.services.start_background()
        started = time.monotonic()
        [got] = receiver.wait_for(1, timeout=10)
        assert got.message["data"]["organization_name"] == "Fabrikam"
        assert time.monotonic() - started < 5
        hanging.wait_for_requests(1, timeout=5)
        time.sleep(0.5)
        assert len(hanging.received) == 1  # one attempt at a time to the hanging one
        settled = time.monotonic()
        assert world.services.settle(timeout=10)  # the process manager is not held up either
        assert time.monotonic() - settled < 5
    finally:
        world.services.close()
        hanging.stop()
