"""The admin token: kept in var/admin.token by `tenantry serve` when none is configured,
and a 401 that says admin calls are off when the server has none."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import build
from api.settings import Settings
from application.clock import TestClock
from tests.support.principals import SECRET_KEY
from tests.support.server import Server

PARTNER = {"name": "Northwind MSP", "kind": "msp", "status": "production"}


def app_with(admin_token: str | None, tmp_path: Path, clock: TestClock) -> TestClient:
    settings = Settings(
        database_url="memory://",
        admin_token=admin_token,  # type: ignore[arg-type]
        secret_key=SECRET_KEY,  # type: ignore[arg-type]
        outbox_dir=tmp_path / "outbox",
    )
    return TestClient(create_app(build(settings, clock)), raise_server_exceptions=False)


@pytest.fixture(params=[None, ""], ids=["unset", "empty"])
def without_admin(
    request: pytest.FixtureRequest, tmp_path: Path, clock: TestClock
) -> Iterator[TestClient]:
    with app_with(request.param, tmp_path, clock) as client:
        yield client


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer null"}], ids=["no key", "a wrong key"]
)
def test_without_an_admin_token_the_401_says_admin_calls_are_off_and_how_to_turn_them_on(
    without_admin: TestClient, headers: dict[str, str]
) -> None:
    answer = without_admin.post("/v1/partners", json=PARTNER, headers=headers)
    assert answer.status_code == 401
    detail = answer.json()["detail"]
    assert "admin calls are off" in detail
    assert "TENANTRY_ADMIN_TOKEN" in detail
    assert "var/admin.token" in detail


def test_a_route_the_admin_may_not_call_says_nothing_of_the_admin(
    without_admin: TestClient,
) -> None:
    answer = without_admin.post(
        "/v1/customers/00000000-0000-0000-0000-000000000000/import/completion"
    )
    assert answer.status_code == 401
    assert "admin" not in answer.json()["detail"]


def test_with_an_admin_token_a_wrong_key_is_only_a_wrong_key(
    tmp_path: Path, clock: TestClock
) -> None:
    with app_with("a" * 32, tmp_path, clock) as client:
        answer = client.post("/v1/partners", json=PARTNER, headers={"Authorization": "Bearer x"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "send a valid API key as 'Authorization: Bearer <key>'"


def test_serve_without_a_token_keeps_one_in_var_and_says_how_to_use_it(tmp_path: Path) -> None:
    server = Server({"TENANTRY_SECRET_KEY": SECRET_KEY}, tmp_path)
    server.env.pop("TENANTRY_ADMIN_TOKEN", None)
    kept = tmp_path / "var" / "admin.token"
    tokens = []
    for _ in range(2):  # the second start uses the token the first one made
        server.start(timeout=60)
        try:
            tokens.append(kept.read_text().strip())
            admin = {"Authorization": f"Bearer {tokens[-1]}"}
            answer = httpx.post(f"{server.url}/v1/partners", json=PARTNER, headers=admin)
            assert answer.status_code == 201, answer.text
        finally:
            server.stop()
    assert tokens[0] == tokens[1]
    assert len(tokens[0]) >= 32
    assert os.stat(kept).st_mode & 0o777 == 0o600
    assert f"export TENANTRY_ADMIN_TOKEN=$(cat {kept})" in server.log.read_text()


def test_serve_with_an_empty_token_keeps_admin_calls_off(tmp_path: Path) -> None:
    server = Server({"TENANTRY_SECRET_KEY": SECRET_KEY, "TENANTRY_ADMIN_TOKEN": ""}, tmp_path)
    server.start(timeout=60)
    try:
        answer = httpx.post(
            f"{server.url}/v1/partners", json=PARTNER, headers={"Authorization": "Bearer x"}
        )
    finally:
        server.stop()
    assert answer.status_code == 401
    assert "admin calls are off" in answer.json()["detail"]
    assert not (tmp_path / "var" / "admin.token").exists()
