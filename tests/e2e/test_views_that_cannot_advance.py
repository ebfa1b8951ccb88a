"""A follower that cannot apply an event never fails silently: ``/readyz`` says not
ready while the views cannot advance, and ``/metrics`` counts the failures."""

from __future__ import annotations

import json
import time
import uuid

from eventsourcing.persistence import StoredEvent

from api.bootstrap import Services
from domain.customer import Customer
from tests.e2e.conftest import World
from tests.support.backends import on_both_databases

pytestmark = on_both_databases


def _failures(world: World) -> float:
    for line in world.client.get("/metrics").text.splitlines():
        if line.startswith("tenantry_projection_failures_total "):
            return float(line.split()[1])
    raise AssertionError("no tenantry_projection_failures_total in /metrics")


def test_readyz_says_not_ready_while_the_views_cannot_take_an_event(
    world: World, services: Services
) -> None:
    world.customer()
    assert world.client.get("/readyz").status_code == 200
    assert _failures(world) == 0
    undecodable = json.dumps({"organization_name": "Jane Doe"}).encode()
    services.store.recorder.insert_events(
        [StoredEvent(uuid.uuid4(), 1, Customer.Created.TOPIC, undecodable)]
    )
    services.views.follower.wake()
    give_up = time.monotonic() + 10
    while (ready := world.client.get("/readyz")).status_code == 200:
        assert time.monotonic() < give_up, "still ready after 10 s"
        time.sleep(0.05)
    assert ready.status_code == 503
    assert ready.json()["checks"]["views"] is False
    assert _failures(world) >= 1


def test_an_advance_gives_up_at_once_when_the_views_cannot_take_an_event(
    world: World, services: Services
) -> None:
    # Given an event the views cannot take
    world.customer()
    undecodable = json.dumps({"organization_name": "Jane Doe"}).encode()
    originator_id = uuid.uuid4()
    signed = services.macs.sign(originator_id, 1, Customer.Created.TOPIC, undecodable)
    services.store.recorder.insert_events(
        [StoredEvent(originator_id, 1, Customer.Created.TOPIC, signed)]
    )
    services.views.follower.wake()
    # When the admin advances the test clock
    started = time.monotonic()
    answer = world.call("admin", "POST", "/v1/test-clock/advance", json={"days": 1})
    # Then the answer says the work is not done, without waiting out the 60 s budget
    assert answer.status_code == 503, answer.text
    assert answer.json()["type"].endswith("/busy")
    assert time.monotonic() - started < 15
