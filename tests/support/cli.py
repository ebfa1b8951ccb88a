"""Run the real ``tenantry`` command line, and fill a database for it to read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api.bootstrap import build
from api.settings import Settings
from application.clock import Clock, SystemClock
from tests.support.principals import SECRET_KEY
from tests.support.world import an_msp_with_customers

TENANTRY = Path(sys.executable).parent / "tenantry"


def sqlite_file_url(home: Path) -> str:
    return f"sqlite:///{home / 'tenantry.db'}"


def environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a command run against ``home``'s database and outbox."""
    return {
        **os.environ,
        "TENANTRY_HOME": str(home),
        "TENANTRY_DATABASE_URL": sqlite_file_url(home),
        "TENANTRY_SECRET_KEY": SECRET_KEY,
        "TENANTRY_OUTBOX_DIR": str(home / "outbox"),
        **extra,
    }


def tenantry(
    home: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TENANTRY), *args],
        env=environment(home) if env is None else env,
        cwd=home if cwd is None else cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def add_customers(
    home: Path, count: int, *, database_url: str | None = None, clock: Clock | None = None
) -> None:
    """A production MSP and ``count`` customers of it."""
    settings = Settings(
        database_url=database_url or sqlite_file_url(home),
        secret_key=SECRET_KEY,  # type: ignore[arg-type]
        outbox_dir=home / "outbox",
    )
    services = build(settings, clock or SystemClock())
    try:
        an_msp_with_customers(services, count, "MSP")
    finally:
        services.close()
