"""Helpers for the console's tests over TestClient: sign in as a browser would."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import World

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: TestClient, key: str) -> str:
    """Signs ``client`` in with ``key``; returns the session's CSRF token."""
    answer = client.post("/console/sign-in", data={"api_key": key}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console/customers"
    return csrf_of(client.get("/console/customers").text)


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def browser(world: World) -> TestClient:
    """Another browser (its own cookies) on the same app."""
    return TestClient(world.client.app, raise_server_exceptions=False)


PAGE = "/console/customers"
PENDING = f"{PAGE}?tab=pending"


def organizations(page: str) -> list[str]:
    return [
        unescape(name)
        for name in re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]*)(?:</a>)?</th>', page)
    ]


def link(page: str, label: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)"[^>]*>{label}</a>', page)
    return unescape(found.group(1)) if found else None


def activate(world: World, customer_id: str) -> None:
    url = world.call("msp", "GET", f"/v1/customers/{customer_id}/activation-link").json()["url"]
    assert world.client.post(url.split("8000", 1)[1]).status_code == 200


@pytest.fixture
def msp(world: World) -> World:
    sign_in(world.client, world.keys["msp"])
    return world


ACTIONS = "/console/customers/actions"
HTMX = {"HX-Request": "true", "HX-Target": "panel"}
TARGET = re.compile(r'name="target" value="([^"]+)"')


def panel(client: TestClient, action: str, *ids: str, htmx: bool = True) -> str:
    """The panel ``action`` opens over the customers ``ids`` (ticked on the Customers tab)."""
    answer = client.get(
        f"{ACTIONS}/{action}", params={"customer": list(ids)}, headers=HTMX if htmx else {}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def targets_of(page: str) -> list[str]:
    """What a panel's forms send back: each customer's ``id:version``."""
    return TARGET.findall(page)


def advance(world: World, signed_in: str | None = "msp", **delta: int) -> None:
    """The admin moves the test clock on, through every deadline on the way; the console
    sessions age with it, so ``signed_in`` signs the world's browser in again."""
    moved = world.call("admin", "POST", "/v1/test-clock/advance", json=delta)
    assert moved.status_code == 200, moved.text
    if signed_in is not None:
        sign_in(world.client, world.keys[signed_in])
