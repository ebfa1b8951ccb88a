"""A console session (a key's or a person's) ends after 8 hours idle or 7 days in all,
by the service's clock; the cookie is Secure behind an https public URL; failed
sign-ins are throttled with the API's own count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from api.console.session import COOKIE
from tests.e2e.conftest import World
from tests.e2e.console import sign_in
from tests.support.outbox import last_sign_in_link
from tests.support.principals import bearer

ONE_MINUTE = timedelta(minutes=1)


@pytest.fixture
def service_settings() -> dict[str, object]:
    return {"public_url": "https://tenantry.example", "sign_in_failures_per_minute": 3}


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """A browser on https (it sends a Secure cookie back only there)."""
    app = create_app(services)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client


def signed_in(world: World) -> bool:
    answer = world.client.get("/console/customers", follow_redirects=False)
    return answer.status_code == 200


def test_a_session_idle_for_eight_hours_has_ended(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    world.clock.advance(timedelta(hours=8) - ONE_MINUTE)
    assert signed_in(world)
    world.clock.advance(timedelta(hours=8) - ONE_MINUTE)  # idle again, not past 8 h
    assert signed_in(world)
    world.clock.advance(timedelta(hours=8))
    assert not signed_in(world)


def test_a_session_in_use_ends_seven_days_after_sign_in(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    for _ in range(7 * 24 // 6 - 1):
        world.clock.advance(timedelta(hours=6))
        assert signed_in(world)
    world.clock.advance(timedelta(hours=6))  # 7 days since sign-in
    assert not signed_in(world)


def test_an_ended_session_is_gone_from_the_database(world: World, services: Services) -> None:
    sign_in(world.client, world.keys["msp"])
    world.clock.advance(timedelta(hours=8))
    assert not signed_in(world)
    assert services.views.db.rows("SELECT * FROM console_sessions") == []


def test_expired_sessions_are_purged(world: World, services: Services) -> None:
    sign_in(world.client, world.keys["msp"])
    assert services.sessions.purge() == 0
    world.clock.advance(timedelta(hours=8))
    assert services.sessions.purge() == 1


def test_the_cookie_is_secure_behind_an_https_public_url(world: World) -> None:
    answer = world.client.post(
        "/console/sign-in", data={"api_key": world.keys["msp"]}, follow_redirects=False
    )
    assert "Secure" in answer.headers["set-cookie"]


def a_person_signs_in_from_a_link(world: World, outbox: Path) -> str:
    """The admin invites Ada; she follows her link: its Set-Cookie."""
    body = {"email": "ada@msp.example", "name": "Ada"}
    invited = world.call("admin", "POST", f"/v1/partners/{world.ids['msp']}/users", json=body)
    assert invited.status_code == 201, invited.text
    path = urlsplit(last_sign_in_link(outbox, "ada@msp.example")).path
    answer = world.client.post(path, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["set-cookie"])


def test_a_persons_cookie_is_secure_http_only_and_lax_behind_an_https_public_url(
    world: World, tmp_path: Path
) -> None:
    cookie = a_person_signs_in_from_a_link(world, tmp_path / "outbox")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert signed_in(world)


def test_a_persons_session_ends_after_eight_hours_idle_too(world: World, tmp_path: Path) -> None:
    a_person_signs_in_from_a_link(world, tmp_path / "outbox")
    world.clock.advance(timedelta(hours=8) - ONE_MINUTE)
    assert signed_in(world)
    world.clock.advance(timedelta(hours=8))
    assert not signed_in(world)


def test_failed_sign_ins_are_throttled_and_the_form_says_when_to_try_again(
    world: World,
) -> None:
    for _ in range(3):
        assert world.client.post("/console/sign-in", data={"api_key": "x"}).status_code == 401
    page = world.client.post("/console/sign-in", data={"api_key": world.keys["msp"]})
    assert page.status_code == 429
    assert int(page.headers["retry-after"]) >= 1
    assert "Too many failed sign-ins" in page.text
    assert COOKIE not in world.client.cookies


def test_failures_on_the_api_count_against_the_console_sign_in(world: World) -> None:
    for _ in range(3):
        assert world.client.get("/v1/customers", headers=bearer("x")).status_code == 401
    page = world.client.post("/console/sign-in", data={"api_key": world.keys["msp"]})
    assert page.status_code == 429
