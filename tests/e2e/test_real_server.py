"""The real ``tenantry serve`` process: create a customer and read it back over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live import an_msp_adds_a_customer
from tests.support.principals import ADMIN_TOKEN
from tests.support.settings import environment_for

TENANTRY = Path(sys.executable).parent / "tenantry"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "options", [[], ["--workers", "2", "--no-access-log"]], ids=["one process", "two workers"]
)
def test_serve_creates_and_reads_a_customer_over_http(tmp_path: Path, options: list[str]) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TENANTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'tenantry.db'}",
        **environment_for(),
    }
    command = [str(TENANTRY), "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # two workers start slowly on a loaded machine
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        created, key = an_msp_adds_a_customer(base, ADMIN_TOKEN)
        assert created.status_code == 201
        read = httpx.get(created.headers["location"], headers=key)
        assert read.status_code == 200
        assert read.json()["organization_name"] == "Contoso"
        # Whichever process answers, the list sent the write's position includes it.
        sent = {**key, "Tenantry-Position": created.headers["tenantry-position"]}
        for _ in range(4):
            pending = httpx.get(f"{base}/v1/customers/pending", headers=sent)
            assert [c["organization_name"] for c in pending.json()["items"]] == ["Contoso"]
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize(
    ("options", "url"),
    [(["--workers", "0"], "sqlite:///x.db"), (["--workers", "2"], "memory://")],
    ids=["no process", "unshared database"],
)
def test_serve_refuses_workers_it_cannot_run(tmp_path: Path, options: list[str], url: str) -> None:
    env = {**os.environ, "TENANTRY_DATABASE_URL": url}
    done = subprocess.run(
        [str(TENANTRY), "serve", "--port", str(free_port()), *options],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr
