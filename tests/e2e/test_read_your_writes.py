"""Read your own writes, not everyone's: a write's answer carries ``Tenantry-Position``;
a list reflects the caller's writes (those this process saved on what the caller sees,
and the position it sends back), and never waits for another partner's burst."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build
from api.settings import Settings
from application.clock import TestClock
from tests.e2e.conftest import World
from tests.e2e.console import PENDING, csrf_of, organizations, sign_in
from tests.support.backends import on_both_databases
from tests.support.events import ESSENTIALS
from tests.support.projections import HeldFollower

HEADER = "Tenantry-Position"
BOUND_S = 2.0  # how long a list may wait for the views


pytestmark = on_both_databases


@pytest.fixture
def other_process(settings: Settings, clock: TestClock) -> Iterator[TestClient]:
    """A second process on the same database, whose follower does not run: its lists
    catch the views up in the request's own thread, and only as far as they must."""
    services = build(settings, clock)
    try:
        yield TestClient(create_app(services), raise_server_exceptions=False)
    finally:
        services.close()


def pending_names(world: World, who: str, **headers: str) -> list[str]:
    answer = world.call(who, "GET", "/v1/customers/pending", headers=headers)
    assert answer.status_code == 200, answer.text
    return [c["organization_name"] for c in answer.json()["items"]]


def added(world: World, who: str, name: str) -> Any:
    body = {"organization_name": name, "notification_email": "it@example.com", "sku": ESSENTIALS}
    answer = world.call(who, "POST", "/v1/customers", json=body)
    assert answer.status_code == 201, answer.text
    return answer


def test_a_write_answer_carries_the_position_it_reached(world: World, services: Services) -> None:
    # When the MSP adds a customer
    answer = added(world, "msp", "Contoso")
    # Then its answer names the position of the customer's first event
    position = int(answer.headers[HEADER])
    [notification] = services.store.recorder.select_notifications(position, 1)
    assert notification.id == position
    assert notification.originator_id == UUID(answer.json()["id"])


def test_a_list_right_after_a_write_shows_it_even_while_the_views_lag(
    world: World, services: Services
) -> None:
    # Given views that are held: they take no event meanwhile
    with HeldFollower(services.views) as held:
        # When the MSP adds a customer and lists its pending customers, the views released
        # a moment later
        added(world, "msp", "Contoso")
        started = time.monotonic()
        threading.Timer(0.3, held.release).start()
        names = pending_names(world, "msp")
        waited = time.monotonic() - started
    # Then the list shows the new customer: it waited for the views to reach the write
    assert names == ["Contoso"]
    assert 0.25 < waited < BOUND_S


def test_a_burst_by_another_partner_does_not_hold_up_a_list(
    world: World, services: Services
) -> None:
    # Given a customer of the MSP in the views, with its activation email done
    added(world, "msp", "Contoso")
    assert services.settle(10)
    with HeldFollower(services.views):
        # And another partner's burst of creates the held views have not taken
        for i in range(20):
            added(world, "other_msp", f"Burst {i}")
        head = services.store.recorder.max_notification_id() or 0
        # When the MSP lists its pending customers
        started = time.monotonic()
        names = pending_names(world, "msp")
        waited = time.monotonic() - started
        behind = services.views.follower.position < head
    # Then it answers at once, with its own customer, without the burst reaching the views
    assert names == ["Contoso"]
    assert waited < BOUND_S / 2
    assert behind
    # And the other partner's own list shows its burst (it waits for its own writes)
    assert len(pending_names(world, "other_msp")) == 20


def test_the_position_sent_back_is_reflected_by_another_process(
    world: World, services: Services, other_process: TestClient
) -> None:
    elsewhere = World(other_process, world.clock, world.keys, world.ids)
    with HeldFollower(services.views):
        # Given a customer added through this process, whose views are held
        position = added(world, "msp", "Contoso").headers[HEADER]
        # When the MSP lists through another process, without the position and with it
        without = pending_names(elsewhere, "msp")
        with_it = pending_names(elsewhere, "msp", **{HEADER: position})
    # Then the other process answers from the views as they are, unless it is sent the
    # position: then it reflects the write
    assert without == []
    assert with_it == ["Contoso"]


def test_the_console_session_keeps_its_writes_position_for_every_process(
    world: World, services: Services, other_process: TestClient
) -> None:
    client = world.client
    csrf = sign_in(client, world.keys["msp"])
    with HeldFollower(services.views):
        # Given a customer added in the console, while this process's views are held
        form = {"csrf_token": csrf, "organization_name": "Contoso", "sku": ESSENTIALS}
        answer = client.post(
            "/console/customers/new",
            data={**form, "notification_email": "it@contoso.example"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        # When the same browser session opens the Pending tab on another process
        other_process.cookies = client.cookies
        page = other_process.get(PENDING)
    # Then the page shows the customer: the session remembered its write's position
    assert page.status_code == 200
    assert organizations(page.text) == ["Contoso"]
    assert csrf_of(page.text) == csrf


def test_a_replayed_answer_carries_the_first_answer_s_position(world: World) -> None:
    body = {
        "organization_name": "Contoso",
        "notification_email": "it@example.com",
        "sku": ESSENTIALS,
    }
    key = {"Idempotency-Key": "add-contoso"}
    first = world.call("msp", "POST", "/v1/customers", json=body, headers=key)
    again = world.call("msp", "POST", "/v1/customers", json=body, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers[HEADER] == first.headers[HEADER]


def test_a_write_that_changes_nothing_carries_a_position_that_covers_its_answer(
    world: World,
) -> None:
    customer = world.customer()
    path = f"/v1/customers/{customer['id']}/automatic-upgrade"
    held = world.call("msp", "PUT", path, json={"enabled": False})
    unchanged = world.call("msp", "PUT", path, json={"enabled": False})
    assert unchanged.status_code == 200
    assert int(unchanged.headers[HEADER]) >= int(held.headers[HEADER])


def test_a_refused_write_carries_no_position(world: World) -> None:
    refused = world.call("msp", "POST", "/v1/customers", json={"organization_name": ""})
    assert refused.status_code == 422
    assert HEADER not in refused.headers


@pytest.mark.parametrize("sent", ["abc", "-1", "1.5", "1" * 19, " "])
@pytest.mark.parametrize("path", ["/v1/customers/pending", "/v1/customers"])
def test_a_position_that_is_not_one_is_a_validation_problem(
    world: World, sent: str, path: str
) -> None:
    answer = world.call("msp", "GET", path, headers={HEADER: sent})
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("/validation")


def test_the_openapi_document_declares_the_position_on_writes_and_reads(world: World) -> None:
    paths = world.client.get("/openapi.json").json()["paths"]
    for operations in paths.values():
        for method, operation in operations.items():
            if method in {"post", "put", "patch", "delete"}:
                for status, answer in operation["responses"].items():
                    declared = HEADER in answer.get("headers", {})
                    assert declared == (int(status) < 400), (operation["operationId"], status)
    for path in ("/v1/customers", "/v1/customers/pending", "/v1/customers/{customer_id}"):
        parameters = paths[path]["get"]["parameters"]
        [position] = [p for p in parameters if p["name"] == HEADER]
        assert position["in"] == "header"
        assert position["schema"]["pattern"] == "^[0-9]{1,18}$"
