"""Signed webhooks over HTTP, on SQLite and PostgreSQL, to a real receiver on a loopback
port that verifies every delivery with ``standardwebhooks``."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

from api.bootstrap import Services
from domain.webhook_types import EVENT_TYPES
from tests.e2e.conftest import World
from tests.support.backends import on_both_databases
from tests.support.receiver import Receiver
from tests.support.webhook_world import service_settings

__all__ = ["service_settings"]  # a fixture: the services send to the receiver on loopback
pytestmark = on_both_databases


def register(world: World, who: str, url: str, **fields: Any) -> dict[str, Any]:
    response = world.call(who, "POST", "/v1/webhook-endpoints", json={"url": url, **fields})
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    found: dict[str, Any] = response.json()
    return found


def services_of(world: World) -> Services:
    found: Services = world.client.app.state.services  # type: ignore[attr-defined]
    return found


def test_given_an_endpoint_when_a_customer_lives_its_story_then_each_change_arrives_signed(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world, "msp", receiver.url, description="billing")
    assert endpoint["secret"].startswith("whsec_")
    receiver.secrets = [endpoint["secret"]]
    customer = world.customer()
    assert services_of(world).settle()  # the activation email goes out
    world.onboard(customer["id"])
    cid = customer["id"]
    assert (
        world.call(
            "msp", "PUT", f"/v1/customers/{cid}/automatic-upgrade", json={"enabled": False}
        ).status_code
        == 200
    )

    expected = [
        "customer.created",
        "customer.activation_sent",
        "customer.activated",
        "customer.onboarded",
        "customer.upgrade_held",
    ]
    got = receiver.wait_for(len(expected))
    assert sorted(r.type for r in got) == sorted(expected)
    by_version = sorted(got, key=lambda r: r.message["data"]["event"]["version"])
    assert [r.type for r in by_version] == expected
    last = by_version[-1].message
    assert last["data"]["id"] == cid
    assert last["data"]["automatic_upgrade"] is False
    assert last["timestamp"] == last["data"]["event"]["effective_at"]
    assert set(last["data"]["event"]) == {
        "id",
        "type",
        "version",
        "position",
        "actor",
        "effective_at",
        "recorded_at",
    }
    assert "actions" not in last["data"]
    assert all(abs(int(r.headers["webhook-timestamp"]) - time.time()) < 60 for r in got)
    assert len({r.id for r in got}) == len(got)


def test_given_a_distributor_endpoint_then_it_gets_its_msps_customers_events_and_others_do_not(
    world: World, receiver: Receiver
) -> None:
    other = Receiver(path="/other").start()
    try:
        endpoint = register(world, "dist", receiver.url, event_types=["customer.created"])
        mine = register(world, "other_msp", other.url)
        receiver.secrets, other.secrets = [endpoint["secret"]], [mine["secret"]]
        world.customer()
        [got] = receiver.wait_for(1)
        assert got.type == "customer.created"
        time.sleep(0.5)
        assert other.received == []
        assert len(receiver.received) == 1  # only the subscribed type
    finally:
        other.stop()


def test_given_a_receiver_down_for_a_day_when_it_is_back_then_it_gets_everything_with_the_same_ids(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world, "msp", receiver.url)
    receiver.secrets = [endpoint["secret"]]
    receiver.stop()
    customer = world.customer()
    services = services_of(world)
    assert services.settle()  # the activation email goes out: two events to deliver
    deliveries = f"/v1/webhook-endpoints/{endpoint['id']}/deliveries"
    first = wait_for_attempts(world, deliveries, since=world.clock.now())
    failed_ids = {d["id"] for d in first}
    assert len(failed_ids) == 2
    services.advance_clock(timedelta(days=1))  # the retries of a day fall due: all fail
    attempted = wait_for_attempts(world, deliveries, since=world.clock.now())
    assert all(
        d["status"] == "pending" and d["attempts"][-1]["status_code"] is None for d in attempted
    )

    receiver.start()
    services.advance_clock(timedelta(days=1))
    got = receiver.wait_for(len(failed_ids))
    assert {r.id for r in got} == failed_ids
    assert len(receiver.received) == len(failed_ids)  # none twice
    listed = world.call("msp", "GET", deliveries).json()["items"]
    assert {d["status"] for d in listed} == {"delivered"}
    assert customer["id"] in {d["customer_id"] for d in listed}


def wait_for_attempts(world: World, path: str, *, since: datetime) -> list[dict[str, Any]]:
    """The deliveries once each was attempted at ``since`` or later."""
    give_up = time.monotonic() + 20
    while True:
        items: list[dict[str, Any]] = world.call("msp", "GET", path).json()["items"]
        if items and all(
            d["attempts"] and datetime.fromisoformat(d["attempts"][-1]["at"]) >= since
            for d in items
        ):
            return items
        assert time.monotonic() < give_up, json.dumps(items, indent=1)
        time.sleep(0.05)


def test_given_a_rotated_secret_then_deliveries_verify_with_the_old_and_the_new_until_retired(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world, "msp", receiver.url, event_types=["customer.created"])
    rotated = world.call("msp", "POST", f"/v1/webhook-endpoints/{endpoint['id']}/secret/rotate")
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["secret"]
    assert new != endpoint["secret"]
    receiver.secrets = [endpoint["secret"], new]
    world.customer()
    [both] = receiver.wait_for(1)
    assert both.verified_by == (0, 1)
    assert len(both.headers["webhook-signature"].split(" ")) == 2

    retired = world.call("msp", "POST", f"/v1/webhook-endpoints/{endpoint['id']}/secret/retire")
    assert retired.status_code == 200, retired.text
    world.customer()
    got = receiver.wait_for(2)
    assert got[1].verified_by == (1,)


def test_given_a_redelivery_then_it_carries_the_same_webhook_id(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world, "msp", receiver.url, event_types=["customer.created"])
    receiver.secrets = [endpoint["secret"]]
    world.customer()
    [first] = receiver.wait_for(1)
    again = world.call("msp", "POST", f"/v1/webhook-deliveries/{first.id}/redeliver")
    assert again.status_code == 202, again.text
    got = receiver.wait_for(2)
    assert got[1].id == first.id
    redeliver = f"/v1/webhook-deliveries/{first.id}/redeliver"
    assert world.call("other_msp", "POST", redeliver).status_code == 404
    endpoint_path = f"/v1/webhook-endpoints/{endpoint['id']}"
    assert world.call("msp", "PATCH", endpoint_path, json={"disabled": True}).status_code == 200
    refused = world.call("msp", "POST", redeliver)
    assert refused.status_code == 409, refused.text


def test_given_a_410_then_the_endpoint_is_disabled(world: World, receiver: Receiver) -> None:
    endpoint = register(world, "msp", receiver.url)
    receiver.status = 410
    world.customer()
    give_up = time.monotonic() + 20
    while not world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint['id']}").json()[
        "disabled"
    ]:
        assert time.monotonic() < give_up
        time.sleep(0.05)


def test_endpoints_are_seen_and_managed_by_their_partner_and_the_admin_only(
    world: World, receiver: Receiver
) -> None:
    endpoint = register(world, "msp", receiver.url)
    one = f"/v1/webhook-endpoints/{endpoint['id']}"
    assert "secret" not in world.call("msp", "GET", one).json()
    for who in ("other_msp", "dist"):
        assert world.call(who, "GET", one).status_code == 404
        assert world.call(who, "PATCH", one, json={"disabled": True}).status_code == 404
        assert world.call(who, "DELETE", one).status_code == 404
        assert world.call(who, "GET", "/v1/webhook-endpoints").json()["items"] == []
    assert world.call("importer", "GET", "/v1/webhook-endpoints").status_code == 403
    listed = world.call("admin", "GET", "/v1/webhook-endpoints").json()["items"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    changed = world.call("admin", "PATCH", one, json={"description": "CRM", "disabled": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "CRM"
    assert changed.json()["disabled"] is True
    assert world.call("msp", "DELETE", one).status_code == 204
    assert world.call("msp", "GET", one).status_code == 404
    assert world.call("msp", "GET", "/v1/webhook-endpoints").json()["items"] == []


def ok(world: World, who: str, method: str, path: str, **kwargs: Any) -> Any:
    response = world.call(who, method, path, **kwargs)
    assert response.status_code in (200, 201), (method, path, response.text)
    return response.json()


def activate_and_start_import(world: World, cid: str) -> None:
    link = ok(world, "msp", "GET", f"/v1/customers/{cid}/activation-link")
    path = link["url"].split("testserver", 1)[-1].split("8000", 1)[-1]
    assert world.client.post(path).status_code == 200


def test_given_every_lifecycle_change_then_each_of_the_16_types_arrives_once_per_change(
    world: World, receiver: Receiver
) -> None:
    """Three customers: one through reissue, import trouble, hold and release, notice,
    extension, upgrade and a subscription change; one converted; one left to expire, then
    erased."""
    endpoint = register(world, "dist", receiver.url)  # the MSP's distributor hears it all
    receiver.secrets = [endpoint["secret"]]
    services = services_of(world)
    a, b, c = (world.customer(organization_name=n)["id"] for n in ("A", "B", "C"))
    assert services.settle()
    # Later than the first link: a reissue at the same instant has the same due time, which
    # the process manager's lease on the first email still holds for a minute.
    world.clock.advance(timedelta(minutes=5))
    ok(world, "msp", "POST", f"/v1/customers/{a}/activation-link")  # reissued
    assert services.settle()
    activate_and_start_import(world, a)
    imports = f"/v1/customers/{a}/import"
    ok(world, "importer", "POST", f"{imports}/log", json={"level": "info", "message": "40/120"})
    ok(world, "importer", "POST", f"{imports}/failures", json={"code": "Q", "message": "quota"})
    ok(world, "importer", "POST", f"{imports}/completion")
    world.onboard(b)
    world.onboard(c)
    upgrade = "automatic-upgrade"
    ok(world, "msp", "PUT", f"/v1/customers/{a}/{upgrade}", json={"enabled": False})
    ok(world, "msp", "PUT", f"/v1/customers/{a}/{upgrade}", json={"enabled": True})
    ok(world, "msp", "PUT", f"/v1/customers/{c}/{upgrade}", json={"enabled": False})
    ok(
        world,
        "msp",
        "POST",
        f"/v1/customers/{b}/convert-to-production",
        json={"expiration_date": "2027-06-30"},
    )
    assert services.advance_clock(timedelta(days=12))  # the notices went out
    ok(world, "msp", "POST", f"/v1/customers/{a}/extend-trial")
    assert services.advance_clock(timedelta(days=10))  # A upgraded, C expired
    ok(world, "msp", "PATCH", f"/v1/customers/{a}/subscription", json={"addons": ["AUDIT"]})
    ok(world, "msp", "POST", f"/v1/customers/{c}/erasure", json={"reason": "asked"})

    history = [
        e["type"]
        for cid in (a, b, c)
        for e in ok(world, "msp", "GET", f"/v1/customers/{cid}/history")["events"]
    ]
    got = receiver.wait_for(len(history))
    assert len(got) == len(history)
    assert {r.type for r in got} == set(EVENT_TYPES)
    assert len({r.id for r in got}) == len(got)
    for r in got:  # each body is the customer as it was right after its change
        assert r.message["data"]["version"] == r.message["data"]["event"]["version"]
    [erased] = [r for r in got if r.type == "customer.personal_data_erased"]
    assert (erased.message["data"]["notification_email"], erased.message["data"]["erased"]) == (
        None,
        True,
    )
