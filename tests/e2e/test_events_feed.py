"""The events feed over HTTP, on SQLite and PostgreSQL: the webhooks' payloads for the
caller's customers, in log order, paged by an opaque cursor, long-polled with ``wait``."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.e2e.conftest import World
from tests.support.backends import on_both_databases
from tests.support.receiver import Receiver
from tests.support.webhook_world import service_settings

__all__ = ["service_settings"]  # a fixture: the services send to the receiver on loopback
pytestmark = on_both_databases

STORY = [
    "customer.created",
    "customer.activation_sent",
    "customer.activated",
    "customer.onboarded",
    "customer.upgrade_held",
]


def feed(world: World, who: str, **params: Any) -> dict[str, Any]:
    response = world.call(who, "GET", "/v1/events", params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def everything(world: World, who: str, count: int, **params: Any) -> list[dict[str, Any]]:
    """Page through the feed until ``count`` events came (waiting for the views)."""
    items: list[dict[str, Any]] = []
    after = None
    deadline = time.monotonic() + 20
    while len(items) < count and time.monotonic() < deadline:
        page = feed(world, who, wait=2, **params, **({"after": after} if after else {}))
        items += page["items"]
        after = page["next_cursor"]
    return items


def live_story(world: World) -> str:
    """A customer of ``msp`` created, activated, onboarded, its upgrade held."""
    customer = world.customer()
    services = world.client.app.state.services  # type: ignore[attr-defined]
    assert services.settle()  # the activation email goes out
    world.onboard(customer["id"])
    held = world.call(
        "msp", "PUT", f"/v1/customers/{customer['id']}/automatic-upgrade", json={"enabled": False}
    )
    assert held.status_code == 200, held.text
    return str(customer["id"])


def test_given_a_story_then_the_feed_lists_its_events_in_order_with_the_webhooks_payloads(
    world: World, receiver: Receiver
) -> None:
    """Given an endpoint and a customer's story, when the MSP reads the feed, then it
    lists the story's events in log order, each exactly the body its delivery carried."""
    endpoint = world.call("msp", "POST", "/v1/webhook-endpoints", json={"url": receiver.url})
    receiver.secrets = [endpoint.json()["secret"]]
    cid = live_story(world)

    items = everything(world, "msp", len(STORY))

    assert [i["type"] for i in items] == STORY
    assert {i["data"]["id"] for i in items} == {cid}
    positions = [i["data"]["event"]["position"] for i in items]
    assert positions == sorted(positions)
    delivered = {r.message["data"]["event"]["id"]: r.message for r in receiver.wait_for(5)}
    assert items == [delivered[i["data"]["event"]["id"]] for i in items]


def test_given_a_types_filter_and_a_small_limit_then_pages_follow_each_other(
    world: World,
) -> None:
    """Given two customers' stories, when the feed is read two at a time for two types,
    then the pages hold only those types, none twice, in order, and the last is empty."""
    first, second = live_story(world), live_story(world)
    wanted = "customer.created,customer.onboarded"
    everything(world, "msp", 2 * len(STORY))  # the views have them all

    pages, after = [], None
    while True:
        page = feed(world, "msp", types=wanted, limit=2, **({"after": after} if after else {}))
        pages.append(page["items"])
        after = page["next_cursor"]
        if not page["items"]:
            break

    assert [len(p) for p in pages] == [2, 2, 0]
    items = [i for p in pages for i in p]
    assert [(i["data"]["id"], i["type"]) for i in items] == [
        (first, "customer.created"),
        (first, "customer.onboarded"),
        (second, "customer.created"),
        (second, "customer.onboarded"),
    ]
    both = world.call(
        "msp",
        "GET",
        "/v1/events",
        params=[("types", "customer.created"), ("types", "customer.onboarded")],
    ).json()["items"]
    assert [i["type"] for i in both] == [i["type"] for i in items]


def test_given_customers_of_one_msp_then_only_those_who_may_see_them_get_their_events(
    world: World,
) -> None:
    """Given the MSP's story, then its distributor, the admin and the auditor read it,
    another MSP and another distributor read nothing."""
    live_story(world)
    mine = everything(world, "msp", len(STORY))
    for who in ("dist", "admin", "auditor"):
        assert everything(world, who, len(STORY)) == mine, who
    for who in ("other_msp", "other_dist"):
        assert feed(world, who)["items"] == [], who


def test_given_a_cursor_that_is_not_the_feeds_then_it_is_a_validation_problem_naming_after(
    world: World,
) -> None:
    for bad in ("nope", "eyJ2IjoicGVuZGluZyJ9", "e30"):
        answer = world.call("msp", "GET", "/v1/events", params={"after": bad})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "after" in [e["loc"][-1] for e in answer.json()["errors"]]
    unknown = world.call("msp", "GET", "/v1/events", params={"types": "customer.renamed"})
    assert unknown.status_code == 422
    assert any("types" in e["loc"] for e in unknown.json()["errors"])


def test_given_a_long_poll_when_a_visible_event_arrives_then_it_returns_with_it(
    world: World,
) -> None:
    """Given a caught-up cursor, when the MSP long-polls and a customer is added, then
    the poll answers with that event well before its wait is over."""
    live_story(world)
    everything(world, "msp", len(STORY))
    cursor = feed(world, "msp")["next_cursor"]  # caught up: past every event so far
    answers: list[tuple[float, dict[str, Any]]] = []

    def poll() -> None:
        started = time.monotonic()
        page = feed(world, "msp", after=cursor, wait=20)
        answers.append((time.monotonic() - started, page))

    polling = threading.Thread(target=poll)
    polling.start()
    time.sleep(0.5)
    added = world.customer(organization_name="Northwind")
    polling.join(25)

    [(took, page)] = answers
    assert took < 10
    assert [(i["type"], i["data"]["id"]) for i in page["items"]] == [
        ("customer.created", added["id"])
    ]


def test_given_a_long_poll_when_only_others_events_arrive_then_it_times_out_empty(
    world: World,
) -> None:
    """Given another MSP long-polling, when the MSP adds a customer, then the poll waits
    its whole time and answers an empty page whose cursor passes that event."""
    cursor = feed(world, "other_msp")["next_cursor"]
    answers: list[tuple[float, dict[str, Any]]] = []

    def poll() -> None:
        started = time.monotonic()
        page = feed(world, "other_msp", after=cursor, wait=2)
        answers.append((time.monotonic() - started, page))

    polling = threading.Thread(target=poll)
    polling.start()
    time.sleep(0.3)
    world.customer()
    polling.join(10)

    [(took, page)] = answers
    assert took >= 2
    assert page["items"] == []
    assert page["next_cursor"] != cursor  # the scan moved past the MSP's event
