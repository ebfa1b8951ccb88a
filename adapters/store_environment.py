"""From one ``TENANTRY_DATABASE_URL`` to the eventsourcing library's environment
variables (persistence module, database, pool sizes, our PostgreSQL recorder), and the
private database file SQLite is given."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from adapters.database_url import POSTGRES, scheme, sqlite_path
from adapters.pg_recorder import TOPIC as RECORDER_TOPIC
from adapters.sql.sqlite_writer import SQLITE_WRITE_WAIT_S


def persistence_env(database_url: str) -> dict[str, str]:
    """Map ``TENANTRY_DATABASE_URL`` onto the library's environment variables."""
    return {"IS_SNAPSHOTTING_ENABLED": "y"} | _backend_env(database_url)


def _backend_env(database_url: str) -> dict[str, str]:
    if scheme(database_url) == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    path = sqlite_path(database_url)
    if path is not None:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": str(SQLITE_WRITE_WAIT_S),
        }
    url = urlsplit(database_url)
    if url.scheme in POSTGRES:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            # No pre-ping: the pool's check backs off 1 s, 2 s, 4 s... per connection
            # the server dropped, and after a restart (or terminated backends) every idle
            # one is dropped: requests waited 7-14 s. Without it, a dropped connection
            # fails its statement, is discarded, and the library retries (10 x 0.2 s).
            "POSTGRES_PRE_PING": "n",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": RECORDER_TOPIC,
        }
    raise ValueError(
        f"unsupported TENANTRY_DATABASE_URL scheme {url.scheme!r}: "
        "use sqlite:///path.db or postgresql://user:pass@host:port/db"
    )


def create_private_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable by its owner only, unless it exists.
    SQLite gives its -wal and -shm files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
