"""Helpers for the console's tests over TestClient: sign in as a browser would."""

from __future__ import annotations

import re

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
