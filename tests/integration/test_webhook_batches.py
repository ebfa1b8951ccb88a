"""The senders lease an endpoint's due deliveries in batches and keep their attempts
together, on SQLite and PostgreSQL: every delivery arrives once, a failure gives the
rest of its batch back, the follower wakes the senders, and a body built on from a
kept state is the body built from the start."""

from __future__ import annotations

import time

import pytest

from api.bootstrap import Services
from application.webhook_payloads import Occurrence, SharedPayloads, payloads
from application.webhook_ports import Delivery
from tests.support.backends import on_both_databases
from tests.support.receiver import Receiver
from tests.support.webhook_world import service_settings, services, world
from tests.support.world import World

__all__ = ["service_settings", "services", "world"]  # fixtures
pytestmark = on_both_databases


def endpoint_for(world: World, url: str, event_types: list[str]) -> str:
    _, secret = world.services.webhooks.register(
        url=url,
        event_types=event_types,
        description="",
        alert_email=None,
        partner_id=None,
        by=world.msp,
    )
    return secret


def deliveries_of(services: Services) -> list[Delivery]:
    services.views.wait_until_current()
    found = []
    for endpoint in services.views.webhook_routes.endpoint_ids(None):
        found += services.deliveries.queue.of_endpoint(endpoint, 1000)
    return found


def test_given_a_backlog_at_two_endpoints_then_each_gets_one_batch_and_every_delivery_arrives_once(
    world: World, receiver: Receiver
) -> None:
    receiver.secrets = [endpoint_for(world, receiver.url, ["customer.created"])]
    receiver.secrets.append(endpoint_for(world, receiver.url, ["customer.created"]))
    for n in range(5):
        world.add(name=f"Backlog {n}")
    world.services.views.wait_until_current()
    dispatcher = world.services.deliveries

    batches = dispatcher.lease(8, set())
    assert sorted(len(b.deliveries) for b in batches) == [5, 5]
    for batch in batches:  # in due order: the log's
        positions = [d.position for d in batch.deliveries]
        assert positions == sorted(positions)
    assert dispatcher.lease(8, set()) == []  # all leased already
    for batch in batches:
        assert [a.ok for a in dispatcher.deliver_batch(batch)] == [True] * 5

    got = receiver.verified()
    assert len(got) == 10
    assert len({r.id for r in got}) == 10
    settled = deliveries_of(world.services)
    assert {(d.status, d.attempts, d.last_status_code) for d in settled} == {("delivered", 1, 200)}


def test_an_endpoint_that_is_busy_here_is_left_out_of_a_lease(
    world: World, receiver: Receiver
) -> None:
    endpoint_for(world, receiver.url, ["customer.created"])
    endpoint_for(world, receiver.url + "/other", ["customer.created"])
    world.add()
    world.services.views.wait_until_current()
    busy, other = world.services.views.webhook_routes.endpoint_ids(None)

    [batch] = world.services.deliveries.lease(8, {busy})
    assert batch.endpoint_id == other


def test_given_a_failure_in_a_batch_then_the_rest_is_given_back_due_as_it_was(
    world: World, receiver: Receiver
) -> None:
    endpoint_for(world, receiver.url, ["customer.created"])
    for n in range(4):
        world.add(name=f"Backlog {n}")
    world.services.views.wait_until_current()
    receiver.status = 500
    dispatcher = world.services.deliveries
    [batch] = dispatcher.lease(8, set())

    answers = dispatcher.deliver_batch(batch, go_on_for=60)

    assert [a.status for a in answers] == [500]  # the batch ends at its first failure
    first, *rest = batch.deliveries
    by_id = {d.id: d for d in deliveries_of(world.services)}
    assert by_id[first.id].attempts == 1
    assert by_id[first.id].next_attempt_at is not None
    assert by_id[first.id].next_attempt_at > world.clock.now()  # retried in 5 s
    assert [(by_id[d.id].status, by_id[d.id].attempts) for d in rest] == [("pending", 0)] * 3
    [again] = dispatcher.lease(8, set())  # nobody holds them: leased again at once
    assert [d.id for d in again.deliveries] == [d.id for d in rest]


def test_given_senders_that_look_rarely_then_the_follower_wakes_them_for_a_new_delivery(
    world: World, receiver: Receiver
) -> None:
    receiver.secrets = [endpoint_for(world, receiver.url, ["customer.created"])]
    world.services.webhook_workers.poll = 60.0
    world.services.start_background()
    time.sleep(0.5)  # the senders have looked once and found nothing
    started = time.monotonic()

    world.add()

    assert len(receiver.wait_for(1, timeout=10)) == 1
    assert time.monotonic() - started < 5


def test_bodies_built_on_from_a_kept_state_are_those_built_from_the_start(
    world: World, receiver: Receiver
) -> None:
    endpoint_for(world, receiver.url, [])
    customer = world.add()
    for n in range(6):
        addons = ["AUDIT"] if n % 2 else ["DELEGATION"]
        world.services.customers.change_subscription(customer, addons=addons, by=world.msp)
    occurrences = [
        Occurrence(d.customer_id, d.customer_version, d.event_type, d.position)
        for d in sorted(deliveries_of(world.services), key=lambda d: d.position)
    ]
    assert len(occurrences) == 7
    shared = SharedPayloads(world.services.uow)

    built = shared.bodies(occurrences[:2]) + shared.bodies(occurrences[2:5])
    built += shared.bodies(occurrences[4:])[1:]  # one of them kept already

    assert built == payloads(world.services.uow, occurrences)
    assert shared.bodies(occurrences[:1]) == built[:1]  # a kept body; an older version too


def test_given_a_slow_receiver_then_a_batch_ends_after_its_slice_and_gives_the_rest_back(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("application.webhook_dispatch.SLICE_S", 1.0)
    endpoint_for(world, receiver.url, ["customer.created"])
    for n in range(6):
        world.add(name=f"Backlog {n}")
    world.services.views.wait_until_current()
    receiver.hang_s = 0.6  # each answer a 200, slowly
    dispatcher = world.services.deliveries
    [batch] = dispatcher.lease(8, set())

    answers = dispatcher.deliver_batch(batch)

    assert [a.status for a in answers] == [200, 200]  # the second ends past the slice
    [rest] = dispatcher.lease(8, set())  # the others wait for any sender again
    assert [d.id for d in rest.deliveries] == [d.id for d in batch.deliveries[2:]]
