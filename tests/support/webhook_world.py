"""Fixtures for webhook tests on both backends: services that may send to loopback
(``webhooks_allow_insecure``), a world on them, and a running receiver. A test module
imports them (and lists them in ``__all__``); it may define ``service_settings`` (more
settings for the services, say an SMTP server). With them, ``endpoint_for`` registers
an endpoint of the MSP and ``sends_due`` sends what is due."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from api.bootstrap import Services
from application.clock import TestClock
from application.webhook_ports import Delivery
from tests.support.receiver import Receiver
from tests.support.world import World, open_services


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def service_settings() -> dict[str, object]:
    """Settings the services take besides the test's own (none; a module may say more)."""
    return {}


@pytest.fixture
def services(
    backend_url: str, clock: TestClock, service_settings: dict[str, object]
) -> Iterator[Services]:
    settings = {"webhooks_allow_insecure": True, **service_settings}
    with closing(open_services(backend_url, clock, **settings)) as app:
        yield app


@pytest.fixture
def world(services: Services) -> World:
    return World(services)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


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
    for delivery in taken:
        services.deliveries.deliver(delivery)
    return len(taken)
