"""``TENANTRY_READ_DATABASE_URL`` names a PostgreSQL replica of a PostgreSQL database;
anything else is refused before a database is opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.bootstrap import build
from api.settings import Settings


def test_given_a_sqlite_database_when_a_read_database_is_set_then_the_start_is_refused(
    sqlite_url: str, tmp_path: Path
) -> None:
    # Given a SQLite database and a read database beside it
    settings = Settings(
        database_url=sqlite_url, read_database_url="postgresql://127.0.0.1:1/replica"
    )
    # When the services are built, then the start is refused, saying why
    with pytest.raises(ValueError, match="needs a PostgreSQL TENANTRY_DATABASE_URL"):
        build(settings)
    # And no database was opened
    assert not (tmp_path / "tenantry.db").exists()


@pytest.mark.postgres
def test_given_a_read_database_that_is_not_postgresql_then_the_start_is_refused(
    postgres_url: str,
) -> None:
    # Given a read database that names a SQLite file
    settings = Settings(database_url=postgres_url, read_database_url="sqlite:///replica.db")
    # When the services are built, then the start is refused, saying why
    with pytest.raises(ValueError, match="must name a PostgreSQL replica"):
        build(settings)
