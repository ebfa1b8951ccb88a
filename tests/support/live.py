"""A real ``tenantry serve`` on a SQLite file, with a known admin token, for black-box tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import Server

ADMIN_TOKEN = "admin-token-for-live-tests"


@contextmanager
def live_server(workdir: Path, **env: str) -> Iterator[Server]:
    """Started and ready; stopped (SIGTERM) on leaving. ``env`` adds ``TENANTRY_*`` values."""
    server = Server(
        {
            "TENANTRY_DATABASE_URL": f"sqlite:///{workdir / 'tenantry.db'}",
            "TENANTRY_ADMIN_TOKEN": ADMIN_TOKEN,
            "TENANTRY_SECRET_KEY": "s" * 32,
            "TENANTRY_OUTBOX_DIR": str(workdir / "outbox"),
            **env,
        },
        workdir,
    )
    try:
        server.start(timeout=120)  # a loaded machine starts it slowly
        yield server
    finally:
        server.stop()
