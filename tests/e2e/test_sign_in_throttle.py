"""Failed sign-ins: per client address and per key prefix, 429 with Retry-After past
the limit, and logged without the secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from tests.support.principals import ADMIN_TOKEN, bearer

LIMIT = 30  # the default of Settings.sign_in_failures_per_minute


@pytest.fixture
def app(services: Services) -> Iterator[FastAPI]:
    app = create_app(services)
    with TestClient(app):  # runs the lifespan once; the callers below share it
        yield app


def caller(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000), raise_server_exceptions=False)


def catalogue(client: TestClient, key: str) -> Any:
    return client.get("/v1/catalogue", headers=bearer(key))


def msp_key(app: FastAPI) -> str:
    body = {"name": "Northwind", "kind": "msp", "status": "production"}
    response = caller(app, "10.9.9.9").post("/v1/partners", json=body, headers=bearer(ADMIN_TOKEN))
    return str(response.json()["api_key"])


def prefix_of(key: str) -> str:
    """``tnt_<holder>_<key id>``: the key without its secret (which may hold ``_``)."""
    return "_".join(key.split("_", 3)[:3])


def test_an_address_is_refused_after_its_failures_even_with_a_good_key(app: FastAPI) -> None:
    guesser = caller(app, "10.0.0.1")
    assert all(catalogue(guesser, f"wrong-{n}").status_code == 401 for n in range(LIMIT))

    refused = catalogue(guesser, ADMIN_TOKEN)

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/too-many-requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert catalogue(caller(app, "10.0.0.2"), ADMIN_TOKEN).status_code == 200


def test_a_key_prefix_is_refused_after_its_failures_from_many_addresses(app: FastAPI) -> None:
    key = msp_key(app)
    prefix = prefix_of(key)
    for n in range(LIMIT):
        assert catalogue(caller(app, f"10.1.0.{n}"), f"{prefix}_guess{n}").status_code == 401

    assert catalogue(caller(app, "10.1.1.1"), f"{prefix}_guess").status_code == 429
    assert catalogue(caller(app, "10.1.1.2"), key).status_code == 429
    assert catalogue(caller(app, "10.1.1.3"), msp_key(app)).status_code == 200


def test_requests_without_a_key_and_successful_ones_are_not_failures(app: FastAPI) -> None:
    client = caller(app, "10.2.0.1")
    for _ in range(LIMIT + 5):
        assert client.get("/v1/catalogue").status_code == 401
        assert catalogue(client, ADMIN_TOKEN).status_code == 200
    assert catalogue(client, "wrong").status_code == 401


def test_a_failed_sign_in_is_logged_with_address_and_prefix_but_not_the_secret(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    prefix = prefix_of(msp_key(app))
    with caplog.at_level(logging.WARNING, logger="tenantry.auth"):
        catalogue(caller(app, "10.3.0.1"), f"{prefix}_TopSecretGuess")
        catalogue(caller(app, "10.3.0.1"), "AdminTokenTypo")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "tenantry.auth")
    assert "10.3.0.1" in logged
    assert prefix in logged
    assert "TopSecretGuess" not in logged
    assert "AdminTokenTypo" not in logged
