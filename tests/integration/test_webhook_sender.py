"""The outbound sender refuses what it must not reach, before a byte is sent, and is
bounded in time and size against a real loopback receiver."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from adapters.webhook_sender import HttpxWebhookSender, resolve_host
from application.webhook_ports import UnsafeUrl
from tests.support.receiver import Receiver

REFUSED = [
    "http://127.0.0.1/hooks",
    "https://127.0.0.1/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "http://169.254.169.254/latest/meta-data/",
    "https://[::1]/hooks",
    "http://[::1]/hooks",
    "https://10.0.0.1/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://100.100.100.200/",
    "https://0.0.0.0/",
]


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every connection attempt is recorded and refused: nothing may be sent."""
    tried: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        tried.append(args)
        raise AssertionError(f"tried to connect: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


@pytest.mark.parametrize("url", REFUSED)
def test_given_an_inside_address_then_it_is_refused_at_registration_and_at_send(
    url: str, no_connections: list[Any]
) -> None:
    sender = HttpxWebhookSender()
    with pytest.raises(UnsafeUrl):
        sender.check(url)
    answer = sender.post(url, {}, b"{}")
    assert answer.status is None
    assert answer.error is not None
    assert "not sent" in answer.error
    assert no_connections == []


def test_given_a_name_that_resolves_to_a_private_address_then_it_is_refused(
    no_connections: list[Any],
) -> None:
    sender = HttpxWebhookSender(resolve=lambda host, port: ["10.0.0.1"])
    with pytest.raises(UnsafeUrl, match=r"10\.0\.0\.1"):
        sender.check("https://hooks.example.com/in")
    assert sender.post("https://hooks.example.com/in", {}, b"{}").status is None
    assert no_connections == []


def test_given_a_name_that_rebinds_after_registration_then_the_send_is_refused(
    no_connections: list[Any],
) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    sender = HttpxWebhookSender(resolve=lambda host, port: next(answers))
    sender.check("https://rebinding.example.com/in")  # public at registration
    answer = sender.post("https://rebinding.example.com/in", {}, b"{}")
    assert answer.status is None
    assert "127.0.0.1" in (answer.error or "")
    assert no_connections == []


def test_given_the_system_resolver_is_monkeypatched_then_its_answer_is_checked(
    monkeypatch: pytest.MonkeyPatch, no_connections: list[Any]
) -> None:
    def private(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", private)
    assert resolve_host("internal.example", 443) == ["10.0.0.1"]
    with pytest.raises(UnsafeUrl):
        HttpxWebhookSender().check("https://internal.example/hooks")


def test_http_is_refused_unless_insecure_is_allowed() -> None:
    with pytest.raises(UnsafeUrl, match="https"):
        HttpxWebhookSender(resolve=lambda h, p: ["93.184.216.34"]).check("http://a.example/")
    HttpxWebhookSender(allow_insecure=True).check("http://127.0.0.1:9/")


def test_a_redirect_is_an_answer_not_followed(receiver: Receiver) -> None:
    receiver.status = 302
    answer = HttpxWebhookSender(allow_insecure=True).post(receiver.url, {}, b"{}")
    assert answer.status == 302
    assert not answer.ok
    assert len(receiver.received) == 1


def test_a_large_answer_is_read_to_64_kb_and_kept_to_1_kb() -> None:
    big = Receiver()
    server = socket.socket()
    server.bind(("127.0.0.1", big.port))
    server.listen()

    def answer_a_megabyte() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 500 Oops\r\ncontent-length: 1048576\r\n\r\n" + b"x" * 1048576)
        conn.close()

    threading.Thread(target=answer_a_megabyte, daemon=True).start()
    answer = HttpxWebhookSender(allow_insecure=True).post(big.url, {}, b"{}")
    server.close()
    assert answer.status == 500
    assert len(answer.excerpt) == 1024


def test_a_hanging_receiver_is_given_up_on_within_the_total_timeout(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.webhook_sender.TOTAL_S", 1.0)
    sender = HttpxWebhookSender(allow_insecure=True)
    receiver.hang_s = 5
    started = time.monotonic()
    answer = sender.post(receiver.url, {}, b"{}")
    assert time.monotonic() - started < 3
    assert answer.status is None
    assert answer.error
