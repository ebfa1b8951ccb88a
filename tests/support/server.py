"""Start the real `tenantry serve` process on a free port, and stop it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.settings import environment_for
from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
TENANTRY = Path(sys.executable).parent / "tenantry"


class Server:
    def __init__(self, env: dict[str, str], workdir: Path, *, public_url: bool = True) -> None:
        """``public_url``: set TENANTRY_PUBLIC_URL to the served address (else unset)."""
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.env.pop("TENANTRY_PUBLIC_URL", None)
        if public_url:
            self.env["TENANTRY_PUBLIC_URL"] = self.url
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"server-{self.port}.log"
        self.command = [str(TENANTRY), "serve", "--host", "127.0.0.1", "--port", str(self.port)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def serving(env: dict[str, str], workdir: Path, *, timeout: float = 30.0) -> Iterator[Server]:
    """A server started and ready; stopped (SIGTERM) on leaving."""
    running = Server(env, workdir)
    try:
        running.start(timeout)
        yield running
    finally:
        running.stop()


@contextmanager
def clock_and_mail_server(home: Path, smtp_port: int) -> Iterator[Server]:
    """A running server on SQLite under ``home`` with the test clock and the tests' admin
    token, sending its email to the SMTP server on ``smtp_port``."""
    env = environment_for(
        TENANTRY_DATABASE_URL=f"sqlite:///{home / 'tenantry.db'}",
        TENANTRY_SMTP_HOST="127.0.0.1",
        TENANTRY_SMTP_PORT=str(smtp_port),
        TENANTRY_TEST_CLOCK="1",
    )
    with serving(env, home) as running:
        yield running
