"""Before a command touches the database: is the URL well formed, is the server there,
and (for commands that only read) does the database exist and hold the events table?

Each answer is one sentence naming the URL without its password.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Protocol

import psycopg

from adapters.event_store import APP_NAME
from adapters.store_environment import persistence_env

# The library's names: SQLite's default, PostgreSQL's after the application.
SQLITE_EVENTS = "stored_events"
POSTGRES_EVENTS = f"{APP_NAME.lower()}_events"
CONNECT_TIMEOUT_S = 5


class Configured(Protocol):
    """Where the database is, and the home relative SQLite paths were resolved against."""

    @property
    def database_url(self) -> str: ...

    @property
    def home(self) -> Path: ...


class DatabaseProblem(Exception):
    """The database cannot be used as configured; the message says how to fix it."""


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***`` (works on malformed URLs too)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc, slash, path = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    return f"{scheme}://{userinfo}{at}{host}{slash}{path}"


def missing_sqlite_file(settings: Configured) -> Path | None:
    """The SQLite file the settings name, if it does not exist yet (it will be created)."""
    try:
        env = persistence_env(settings.database_url)
    except ValueError:
        return None
    name = env.get("SQLITE_DBNAME", ":memory:")
    path = Path(name)
    return None if name == ":memory:" or path.exists() else path


def check_database(settings: Configured, *, must_exist: bool) -> None:
    """Raise ``DatabaseProblem`` unless the configured database can be used.

    ``must_exist``: the command only reads, so a missing database (or one without
    the events table) is an error rather than something to create empty."""
    url = settings.database_url
    try:
        env = persistence_env(url)
    except ValueError as error:
        raise DatabaseProblem(
            f"TENANTRY_DATABASE_URL {redacted(url)} is malformed: {error}"
        ) from None
    module = env["PERSISTENCE_MODULE"]
    if module.endswith("popo"):
        if must_exist:
            raise DatabaseProblem(
                "memory:// keeps nothing between processes: set TENANTRY_DATABASE_URL "
                "to the service's database"
            )
        return
    if module.endswith("sqlite"):
        _check_sqlite(settings, Path(env["SQLITE_DBNAME"]), must_exist=must_exist)
    else:
        _check_postgres(url, env, must_exist=must_exist)


def _check_sqlite(settings: Configured, path: Path, *, must_exist: bool) -> None:
    if not must_exist or str(path) == ":memory:":
        return
    where = f"(TENANTRY_HOME is {settings.home})"
    if not path.is_file():
        raise DatabaseProblem(
            f"no database at {path} {where}: run the command where the service keeps "
            "its data, or set TENANTRY_HOME or TENANTRY_DATABASE_URL"
        )
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [SQLITE_EVENTS]
            ).fetchone()
    except sqlite3.DatabaseError as error:
        raise DatabaseProblem(f"{path} is not a Tenantry database: {error}") from None
    if found is None:
        raise DatabaseProblem(
            f"{path} holds no events (no {SQLITE_EVENTS} table) {where}: "
            "is TENANTRY_DATABASE_URL the service's database?"
        )


def _check_postgres(url: str, env: dict[str, str], *, must_exist: bool) -> None:
    shown = redacted(url)
    try:
        with psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=CONNECT_TIMEOUT_S,
        ) as conn:
            row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [POSTGRES_EVENTS]).fetchone()
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseProblem(
            f"cannot use the database {shown}: {reason} "
            "(check TENANTRY_DATABASE_URL and that the server is running)"
        ) from None
    if must_exist and not (row and row[0]):
        raise DatabaseProblem(
            f"the database {shown} holds no events (no {POSTGRES_EVENTS} table): "
            "is TENANTRY_DATABASE_URL the service's database?"
        )
