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
    return [unescape(name) for name in re.findall(r'<th scope="row">([^<]*)</th>', page)]


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
