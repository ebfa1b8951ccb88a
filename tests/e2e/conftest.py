"""The API over TestClient: on ``backend_url``, the test clock, and the cast over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build
from api.settings import Settings
from application.clock import TestClock
from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.settings import settings_for
from tests.support.world import (
    CUSTOMER_EMAIL,
    CUSTOMER_NAME,
    DISTRIBUTOR_NAME,
    ESSENTIALS,
    MSP_NAME,
    OTHER_MSP_NAME,
)

SKU = ESSENTIALS
OTHER_DISTRIBUTOR_NAME = "Other Distributor"


@pytest.fixture
def service_settings() -> dict[str, object]:
    """Settings the services take besides the API tests' own (none; a module may say more)."""
    return {}


@pytest.fixture
def settings(backend_url: str, tmp_path: Path, service_settings: dict[str, object]) -> Settings:
    """On ``backend_url`` (SQLite unless the module says ``on_both_databases``)."""
    return settings_for(
        backend_url, outbox_dir=tmp_path / "outbox", test_clock=True, **service_settings
    )


@pytest.fixture
def services(settings: Settings, clock: TestClock) -> Services:
    return build(settings, clock)


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        yield client


@dataclass
class World:
    """Principals of every kind, and a customer of ``msp`` (whose distributor is ``dist``):
    the cast of ``tests.support.world`` over HTTP, with a second distributor."""

    client: TestClient
    clock: TestClock
    keys: dict[str, str]
    ids: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return bearer(self.keys[who]) if who in self.keys else {}

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.as_(who), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def customer(self, who: str = "msp", **fields: Any) -> dict[str, Any]:
        body = {"organization_name": CUSTOMER_NAME, "notification_email": CUSTOMER_EMAIL}
        response = self.call(who, "POST", "/v1/customers", json={**body, "sku": SKU, **fields})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def onboard(self, customer_id: str) -> dict[str, Any]:
        link = self.call("msp", "GET", f"/v1/customers/{customer_id}/activation-link").json()
        path = link["url"].split("testserver", 1)[-1].split("8000", 1)[-1]
        assert self.client.post(path).status_code == 200
        done = self.call("importer", "POST", f"/v1/customers/{customer_id}/import/completion")
        assert done.status_code == 200, done.text
        result: dict[str, Any] = self.call("msp", "GET", f"/v1/customers/{customer_id}").json()
        return result


@pytest.fixture
def world(client: TestClient, clock: TestClock) -> World:
    admin = bearer(ADMIN_TOKEN)

    def partner(**body: Any) -> dict[str, Any]:
        response = client.post("/v1/partners", json=body, headers=admin)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def service(role: str) -> str:
        response = client.post("/v1/service-keys", json={"role": role, "name": role}, headers=admin)
        assert response.status_code == 201, response.text
        return str(response.json()["api_key"])

    dist = partner(name=DISTRIBUTOR_NAME, kind="distributor")
    other_dist = partner(name=OTHER_DISTRIBUTOR_NAME, kind="distributor")
    msp = partner(name=MSP_NAME, kind="msp", status="production", distributor_id=dist["id"])
    other_msp = partner(name=OTHER_MSP_NAME, kind="msp", status="production")
    keys = {
        "admin": ADMIN_TOKEN,
        "msp": msp["api_key"],
        "other_msp": other_msp["api_key"],
        "dist": dist["api_key"],
        "other_dist": other_dist["api_key"],
        "importer": service("importer"),
        "auditor": service("auditor"),
    }
    ids = {"msp": msp["id"], "dist": dist["id"], "other_msp": other_msp["id"]}
    return World(client, clock, keys, ids)


Caller = Callable[..., Any]
