"""Fixtures for webhook tests on both backends: services that may send to loopback
(``webhooks_allow_insecure``), a world on them, and a running receiver. A test module
imports them (and lists them in ``__all__``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from api.bootstrap import Services
from application.clock import TestClock
from tests.support.receiver import Receiver
from tests.support.world import World, open_services


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def services(backend_url: str, clock: TestClock) -> Iterator[Services]:
    with closing(open_services(backend_url, clock, webhooks_allow_insecure=True)) as app:
        yield app


@pytest.fixture
def world(services: Services) -> World:
    return World(services)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()
