"""The application over a real backend; modules that need other settings define their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from api.bootstrap import Services
from application.clock import TestClock
from tests.support.world import open_services


@pytest.fixture
def services(database_url: str, clock: TestClock) -> Iterator[Services]:
    """The use cases on each backend of ``database_url``, on the test clock."""
    with closing(open_services(database_url, clock)) as app:
        yield app
