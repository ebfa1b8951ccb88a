"""The database a test runs on: ``backend_url`` is a SQLite file, or, in a module (or a
test) marked ``on_both_databases``, a SQLite file and then a fresh PostgreSQL database.
``tests/conftest.py`` exposes the fixture to every test."""

from __future__ import annotations

import pytest

BOTH_DATABASES = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))

on_both_databases = pytest.mark.parametrize("backend_url", BOTH_DATABASES, indirect=True)


@pytest.fixture
def backend_url(request: pytest.FixtureRequest) -> str:
    backend = getattr(request, "param", "sqlite")
    return str(request.getfixturevalue(f"{backend}_url"))
