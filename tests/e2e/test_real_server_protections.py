"""A real ``tenantry serve``: request heads that arrive too slowly, or grow too large,
are answered and their connections closed; ordinary requests are untouched; the
access log shows no activation token."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import SKU
from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.server import Server
from tests.support.settings import environment_for

TIMEOUT_S = 1.0
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir: Path = tmp_path_factory.mktemp("slow-clients")
    env = environment_for(
        TENANTRY_DATABASE_URL=f"sqlite:///{workdir / 'tenantry.db'}",
        TENANTRY_HEAD_TIMEOUT_S=str(TIMEOUT_S),
    )
    server = Server(env, workdir)
    server.start()
    yield server
    server.stop()


def connect(server: Server) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT_S + 5)
    return connection


def answer_and_close(connection: socket.socket) -> bytes:
    """What the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_a_head_that_never_completes_is_answered_408_and_closed(server: Server) -> None:
    with connect(server) as connection:
        started = time.monotonic()
        connection.sendall(PARTIAL_HEAD)
        answer = answer_and_close(connection)
    assert answer.startswith(b"HTTP/1.1 408")
    # The server's timer starts at the connection, a moment before ours.
    assert TIMEOUT_S - 0.2 <= time.monotonic() - started < TIMEOUT_S + 3


def test_a_connection_that_sends_nothing_is_closed(server: Server) -> None:
    with connect(server) as connection:
        started = time.monotonic()
        answer_and_close(connection)
    assert time.monotonic() - started < TIMEOUT_S + 3


def test_a_trickled_head_gets_no_more_time_per_byte(server: Server) -> None:
    with connect(server) as connection:
        connection.sendall(PARTIAL_HEAD)
        started = time.monotonic()
        try:
            while time.monotonic() - started < TIMEOUT_S + 3:
                connection.sendall(b"a")
                time.sleep(0.1)
        except OSError:
            pass  # closed by the server
        assert answer_and_close(connection).startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < TIMEOUT_S + 3


def test_a_head_too_large_is_answered_431_and_closed(server: Server) -> None:
    with connect(server) as connection:
        connection.sendall(PARTIAL_HEAD + b"a" * 100_000)
        assert answer_and_close(connection).startswith(b"HTTP/1.1 431")


def test_a_kept_alive_connection_has_the_bound_for_its_next_head(server: Server) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + PARTIAL_HEAD)
        answer = answer_and_close(connection)
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"HTTP/1.1 408" in answer


def test_ordinary_requests_with_large_bodies_are_untouched(server: Server) -> None:
    body = {"name": "N" * 200, "kind": "msp"}
    padding = " " * 60_000  # one packet holding the head and a 60 KB body
    response = httpx.post(
        f"{server.url}/v1/partners",
        content=(padding + httpx.Request("POST", "/", json=body).content.decode()).encode(),
        headers={**bearer(ADMIN_TOKEN), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_access_log_shows_no_activation_token(server: Server) -> None:
    admin = bearer(ADMIN_TOKEN)
    partner = httpx.post(
        f"{server.url}/v1/partners", json={"name": "N", "kind": "msp"}, headers=admin
    ).json()
    msp = {"Authorization": f"Bearer {partner['api_key']}"}
    body = {"organization_name": "C", "notification_email": "a@b.example", "sku": SKU}
    customer = httpx.post(f"{server.url}/v1/customers", json=body, headers=msp).json()
    link = httpx.get(
        f"{server.url}/v1/customers/{customer['id']}/activation-link", headers=msp
    ).json()
    token = link["url"].rsplit("/", 1)[1]

    assert httpx.get(link["url"]).status_code == 200

    logged = server.log.read_text()
    assert "GET /activate/" in logged
    assert token not in logged
