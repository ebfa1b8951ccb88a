"""Verified keys are remembered only while events can make this process forget them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from api.bootstrap import Services
from application.clock import TestClock
from application.partners import parse_key
from domain.partner import Partner
from domain.values import PartnerKind, PartnerStatus
from tests.support.backends import on_both_databases
from tests.support.principals import ADMIN
from tests.support.world import open_services


def a_partner_key(services: Services) -> str:
    """A new partner's key, once the follower (if running) has read its events, which
    would otherwise make the process forget the key when they arrive."""
    _, key = services.partners.register(
        name="Northwind", kind=PartnerKind.MSP, status=PartnerStatus.PRODUCTION, by=ADMIN
    )
    assert services.views.wait_until_current(5.0)
    return key


def revoke(services: Services, key: str) -> None:
    parsed = parse_key(key)
    assert parsed is not None
    services.customers.uow.change(
        Partner,
        parsed.holder_id,
        lambda p, now: p.revoke_api_key(key_id=parsed.key_id, at=now, by=ADMIN),
    )


def count_loads(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    loads: list[Any] = []
    real = services.auth.uow.load

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(services.auth.uow, "load", counted)
    return loads


def test_given_no_follower_running_when_a_key_is_used_twice_then_it_is_verified_twice(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = a_partner_key(services)
    loads = count_loads(services, monkeypatch)
    assert services.auth.authenticate(key) == services.auth.authenticate(key) is not None
    assert len(loads) == 2
    assert services.auth.remembered(key) is None


def test_given_the_follower_running_when_a_key_is_used_again_then_it_is_not_read_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.start_background()
    key = a_partner_key(services)
    loads = count_loads(services, monkeypatch)
    first = services.auth.authenticate(key)
    assert first is not None
    assert services.auth.authenticate(key) == services.auth.remembered(key) == first
    assert len(loads) == 1


def test_given_a_remembered_key_when_this_process_revokes_it_then_it_fails_at_once(
    services: Services,
) -> None:
    services.start_background()
    key = a_partner_key(services)
    assert services.auth.authenticate(key) is not None
    revoke(services, key)
    assert services.auth.remembered(key) is None
    assert services.auth.authenticate(key) is None


@on_both_databases  # a database two processes can share (not memory://)
def test_given_a_remembered_key_when_another_process_revokes_it_then_it_fails_soon(
    backend_url: str, clock: TestClock
) -> None:
    here, there = open_services(backend_url, clock), open_services(backend_url, clock)
    try:
        here.start_background()
        key = a_partner_key(here)
        assert here.auth.authenticate(key) is not None
        revoke(there, key)
        give_up = time.monotonic() + 5
        while here.auth.authenticate(key) is not None:
            assert time.monotonic() < give_up, "the revoked key still works after 5 s"
            time.sleep(0.01)
    finally:
        here.close()
        there.close()


def test_a_key_verified_while_a_holder_event_arrives_is_not_remembered(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.start_background()
    key = a_partner_key(services)
    real = services.auth.uow.load

    def load_then_an_event_arrives(*args: Any, **kwargs: Any) -> Any:
        loaded = real(*args, **kwargs)
        services.auth.observe(list(services.store.events.get(loaded.id)))
        return loaded

    monkeypatch.setattr(services.auth.uow, "load", load_then_an_event_arrives)
    assert services.auth.authenticate(key) is not None
    assert services.auth.remembered(key) is None


def test_remembered_keys_expire_and_are_dropped_when_the_follower_loses_track(
    services: Services,
) -> None:
    services.start_background()
    key = a_partner_key(services)
    now = [1000.0]
    services.auth.monotonic = lambda: now[0]
    assert services.auth.authenticate(key) is not None
    assert services.auth.remembered(key) is not None
    now[0] += services.auth.remember_s
    assert services.auth.remembered(key) is None

    assert services.auth.authenticate(key) is not None
    services.auth.lost_track()
    assert services.auth.remembered(key) is None


def test_a_wrong_secret_is_never_answered_from_memory(services: Services) -> None:
    services.start_background()
    key = a_partner_key(services)
    assert services.auth.authenticate(key) is not None
    assert services.auth.authenticate(key[:-2] + "xx") is None
    assert services.auth.remembered(key[:-2] + "xx") is None
