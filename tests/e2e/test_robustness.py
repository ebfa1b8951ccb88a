"""Concurrency, idempotency keys, and problem details for malformed requests."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build
from api.settings import Settings
from application.clock import TestClock
from tests.e2e.conftest import SKU, World
from tests.support.backends import on_both_databases
from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.settings import settings_for

NEW = {"organization_name": "Contoso", "notification_email": "a@b.example", "sku": SKU}


pytestmark = on_both_databases  # Concurrency and idempotency on both databases.


def test_32_concurrent_extensions_in_the_window_grant_exactly_one(world: World) -> None:
    cid = world.onboard(world.customer()["id"])["id"]
    world.clock.advance(timedelta(days=12))
    barrier = threading.Barrier(32)

    def extend(_: int) -> int:
        barrier.wait()
        return world.call("msp", "POST", f"/v1/customers/{cid}/extend-trial").status_code

    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(extend, range(32)))
    assert statuses.count(200) == 1
    assert statuses.count(409) == 31
    history = world.call("msp", "GET", f"/v1/customers/{cid}/history").json()
    assert [e["type"] for e in history["events"]].count("TrialExtended") == 1


def test_the_same_key_and_body_replays_the_first_answer_and_does_nothing_again(
    world: World,
) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = world.call("msp", "POST", "/v1/customers", json=NEW, headers=key)
    again = world.call("msp", "POST", "/v1/customers", json=NEW, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(world.call("msp", "GET", "/v1/customers/pending").json()["items"]) == 1


def test_the_same_key_with_another_body_is_idempotency_key_reused(world: World) -> None:
    key = {"Idempotency-Key": "k-2"}
    world.call("msp", "POST", "/v1/customers", json=NEW, headers=key)
    other = world.call(
        "msp", "POST", "/v1/customers", json={**NEW, "organization_name": "B"}, headers=key
    )
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")


def test_keys_are_per_principal(world: World) -> None:
    key = {"Idempotency-Key": "shared"}
    assert world.call("msp", "POST", "/v1/customers", json=NEW, headers=key).status_code == 201
    assert world.call("dist", "POST", "/v1/customers", json=NEW, headers=key).status_code == 201


def test_concurrent_requests_with_one_key_execute_once(world: World) -> None:
    key = {"Idempotency-Key": "race"}
    barrier = threading.Barrier(8)

    def add(_: int) -> Any:
        barrier.wait()
        return world.call("msp", "POST", "/v1/customers", json=NEW, headers=key)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(add, range(8)))
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(world.call("msp", "GET", "/v1/customers/pending").json()["items"]) == 1


def test_idempotency_keys_survive_a_restart(settings: Settings, clock: TestClock) -> None:
    def app() -> TestClient:
        services: Services = build(settings, clock)
        return TestClient(create_app(services))

    admin = {**bearer("admin-token-for-tests"), "Idempotency-Key": "boot"}
    body = {"name": "P", "kind": "msp"}
    with app() as client:
        first = client.post("/v1/partners", json=body, headers=admin)
    with app() as client:
        again = client.post("/v1/partners", json=body, headers=admin)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["type"] == "https://tenantry.dev/problems/not-found"
    wrong = client.delete("/v1/catalogue")
    assert wrong.status_code == 405
    assert wrong.json()["type"].endswith("/method-not-allowed")


def test_malformed_json_is_a_validation_problem(world: World) -> None:
    response = world.call(
        "msp",
        "POST",
        "/v1/customers",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/validation")
    assert problem["errors"]


def test_a_body_over_64_kib_is_413(world: World) -> None:
    big = {**NEW, "organization_name": "x" * 70_000}
    response = world.call("msp", "POST", "/v1/customers", json=big)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_missing_or_unknown_keys_are_401_with_www_authenticate(client: TestClient) -> None:
    for headers in ({}, bearer("tnt_nobody"), {"Authorization": "Basic abc"}):
        response = client.get("/v1/catalogue", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["type"].endswith("/unauthorized")


def test_the_test_clock_routes_do_not_exist_without_the_setting(
    backend_url: str, clock: TestClock
) -> None:
    with TestClient(create_app(build(settings_for(backend_url), clock))) as client:
        response = client.get("/v1/test-clock", headers=bearer(ADMIN_TOKEN))
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


def test_metrics_count_requests_by_route_template(world: World) -> None:
    world.customer()
    text = world.client.get("/metrics").text
    assert 'tenantry_http_requests_total{method="POST",route="/v1/customers",status="201"}' in text
