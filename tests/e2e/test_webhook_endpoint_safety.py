"""Registering webhook endpoints safely: only https:// URLs to public addresses (nothing
sent to check them), and the signing secret shown once, then kept sealed: neither the
events nor the stored answers of Idempotency-Keys hold it in clear."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import World

ENDPOINTS = "/v1/webhook-endpoints"


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    tried: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        tried.append(args)
        raise AssertionError(f"tried to connect: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hooks",
        "https://127.0.0.1/hooks",
        "https://169.254.169.254/",
        "https://[::1]/hooks",
        "http://hooks.example.com/in",
    ],
)
def test_given_an_unsafe_url_then_registration_is_refused_without_sending_anything(
    world: World, url: str, no_connections: list[Any]
) -> None:
    response = world.call("msp", "POST", ENDPOINTS, json={"url": url})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"][-1] == "url"
    assert no_connections == []
    assert world.call("msp", "GET", ENDPOINTS).json()["items"] == []


def test_given_a_name_resolving_to_a_private_address_then_it_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, no_connections: list[Any]
) -> None:
    def private(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", private)
    response = world.call("msp", "POST", ENDPOINTS, json={"url": "https://crm.internal/in"})
    assert response.status_code == 422, response.text
    assert "10.0.0.1" in response.json()["detail"]
    assert no_connections == []


def test_a_change_to_an_unsafe_url_is_refused_too(world: World) -> None:
    created = world.call("msp", "POST", ENDPOINTS, json=quiet_endpoint()).json()
    changed = world.call(
        "msp", "PATCH", f"{ENDPOINTS}/{created['id']}", json={"url": "https://10.1.2.3/"}
    )
    assert changed.status_code == 422, changed.text


def quiet_endpoint() -> dict[str, Any]:
    """A public address, literally, for a type the tests here never record."""
    return {"url": "https://93.184.216.34/hooks", "event_types": ["customer.trial_expired"]}


def test_the_secret_is_shown_once_replayed_under_its_key_and_never_stored_in_clear(
    world: World, tmp_path: Path
) -> None:
    key = {"Idempotency-Key": "k-endpoint"}
    first = world.call("msp", "POST", ENDPOINTS, json=quiet_endpoint(), headers=key)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) >= len("whsec_") + 32
    again = world.call("msp", "POST", ENDPOINTS, json=quiet_endpoint(), headers=key)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert first.headers["cache-control"] == again.headers["cache-control"] == "no-store"
    one = f"{ENDPOINTS}/{first.json()['id']}"
    assert "secret" not in world.call("msp", "GET", one).json()
    rotated = world.call("msp", "POST", f"{one}/secret/rotate", headers={"Idempotency-Key": "r"})
    new = rotated.json()["secret"]
    replayed = world.call("msp", "POST", f"{one}/secret/rotate", headers={"Idempotency-Key": "r"})
    assert replayed.json()["secret"] == new  # the same rotation, not another
    assert len(world.call("msp", "GET", one).json()["secrets"]) == 2
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("tenantry.db*"))
    for shown in (secret, new):
        assert shown.encode() not in stored
        assert shown.removeprefix("whsec_").encode() not in stored
