"""The projection tests' world on every backend; modules may name another database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from application.clock import TestClock
from tests.support.projections import open_world
from tests.support.world import World


@pytest.fixture
def world(database_url: str, clock: TestClock) -> Iterator[World]:
    with closing(open_world(database_url, clock)) as world:
        yield world
