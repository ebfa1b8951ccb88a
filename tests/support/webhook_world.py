"""Fixtures for webhook tests: services on ``backend_url`` that may send to loopback
(``webhooks_allow_insecure``, as the ``receiver`` of ``tests/conftest.py`` is http://),
and a world on them. A test module imports them (and lists them in ``__all__``); it may
define ``service_settings`` (more settings, from ``TO_LOOPBACK`` on, say an SMTP
server). With them, ``endpoint_for`` registers an endpoint of the MSP and ``sends_due``
sends what is due."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from api.bootstrap import Services
from application.clock import TestClock
from application.webhook_dispatch import LEASE_S, Batch
from application.webhook_ports import Delivery
from tests.support.world import World, open_services

TO_LOOPBACK: dict[str, object] = {"webhooks_allow_insecure": True}


@pytest.fixture
def service_settings() -> dict[str, object]:
    """Settings the services take besides the test's own: they send to loopback."""
    return dict(TO_LOOPBACK)


@pytest.fixture
def services(
    backend_url: str, clock: TestClock, service_settings: dict[str, object]
) -> Iterator[Services]:
    with closing(open_services(backend_url, clock, **service_settings)) as app:
        yield app


@pytest.fixture
def world(services: Services) -> World:
    return World(services)


def endpoint_for(world: World, url: str, **fields: object) -> tuple[str, str]:
    """An endpoint of the MSP posting to ``url``: its id and signing secret."""
    dto, secret = world.services.webhooks.register(
        url=url,
        event_types=list(fields.get("event_types", [])),  # type: ignore[call-overload]
        description="",
        alert_email=fields.get("alert_email"),  # type: ignore[arg-type]
        partner_id=None,
        by=world.msp,
    )
    return str(dto.id), secret


def sends_due(services: Services) -> int:
    """Send every delivery due now (one per endpoint); how many were."""
    services.views.wait_until_current()
    taken: list[Delivery] = services.deliveries.due(100, set())
    dispatcher = services.deliveries
    for delivery in taken:  # one attempt each, under the lease ``due`` took
        dispatcher.deliver_batch(Batch((delivery,), dispatcher.wall() + LEASE_S))
    return len(taken)
