"""The library's cipher and compressor, set in the environment, apply to what is stored.

Under ``CI=true`` the PostgreSQL variants fail instead of skipping when no server runs.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator

import pytest

from adapters.event_macs import split
from api.bootstrap import Services
from application.clock import TestClock
from domain.partner import Partner
from domain.values import PartnerKind
from tests.support.backends import on_both_databases
from tests.support.principals import ADMIN
from tests.support.tampering import Tampering
from tests.support.world import open_services

NAME = "A partner whose name is on file"


pytestmark = on_both_databases


@pytest.fixture
def services(backend_url: str, clock: TestClock) -> Iterator[Services]:
    app = open_services(backend_url, clock)
    try:
        yield app
    finally:
        app.close()


def registered_then_read_back(url: str, services: Services, clock: TestClock) -> bytes:
    """Register a partner, read it back from a fresh process's services; its stored bytes."""
    partner, _ = services.partners.register(name=NAME, kind=PartnerKind.MSP, by=ADMIN)
    reopened = open_services(url, clock)
    try:
        assert reopened.store.repository.get(partner.id).state.name == NAME
        assert reopened.audit.verify() == []  # the MACs cover the bytes as stored
    finally:
        reopened.close()
    [(state,)] = Tampering(url).rows(
        "SELECT state FROM {events} WHERE topic = %s", Partner.Registered.TOPIC
    )
    return bytes(state)


@pytest.mark.parametrize(
    "topic", ["eventsourcing.cipher:AESCipher", "eventsourcing.cryptography:AESCipher"]
)
def test_with_a_cipher_the_stored_state_is_ciphertext_that_reads_back(
    topic: str, monkeypatch: pytest.MonkeyPatch, backend_url: str, clock: TestClock
) -> None:
    monkeypatch.setenv("CIPHER_TOPIC", topic)
    monkeypatch.setenv("CIPHER_KEY", base64.b64encode(b"c" * 32).decode())
    services = open_services(backend_url, clock)
    try:
        stored = registered_then_read_back(backend_url, services, clock)
    finally:
        services.close()

    mac, payload = split(stored)
    assert mac is not None
    assert NAME.encode() not in stored
    with pytest.raises(UnicodeDecodeError):
        payload.decode()


def test_with_a_compressor_the_stored_state_is_compressed_and_reads_back(
    monkeypatch: pytest.MonkeyPatch, backend_url: str, clock: TestClock
) -> None:
    monkeypatch.setenv("COMPRESSOR_TOPIC", "eventsourcing.compressor:ZlibCompressor")
    services = open_services(backend_url, clock)
    try:
        stored = registered_then_read_back(backend_url, services, clock)
    finally:
        services.close()

    mac, payload = split(stored)
    assert mac is not None
    assert json.loads(zlib.decompress(payload))["name"] == NAME


def test_without_either_the_stored_state_is_json_as_before(
    services: Services, backend_url: str, clock: TestClock
) -> None:
    stored = registered_then_read_back(backend_url, services, clock)
    assert json.loads(stored)["name"] == NAME
