"""http.*: 32 concurrent clients against a real ``tenantry serve`` process on PostgreSQL.

The server runs as a subprocess with an admin token; one partner key makes every call.
Each phase runs for a bounded time; the trivial endpoint (``/healthz``, which goes
through the same middleware and worker-thread pool) is the baseline. The server's own
background work (views follower, process manager sending activation emails to an
outbox directory) runs as in production.

The server runs as deployed on a 2-core machine, ``tenantry serve --workers 2``
(``TENANTRY_BENCH_SERVE=""`` for one process). Besides the closed loop (32 clients, each
sending its next request when answered), creates are also sent at a steady half of the
creates/s that loop reached, once the server has settled: the latency a caller sees when
the server is not saturated, the same share of capacity on any machine.
Another partner lists its pending customers during the creates (beside as many
``/healthz`` clients, its baseline): a list waits for its own writes, not the burst.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks.harness import emit, p99

CLIENTS = 32
SECONDS = 10.0
# The server as deployed on a 2-core machine: two API processes (one event loop and
# interpreter lock each). TENANTRY_BENCH_SERVE="" measures a single process.
SERVE_OPTIONS = os.environ.get("TENANTRY_BENCH_SERVE", "--workers 2").split()
BESIDE = 4  # clients listing (and as many asking /healthz) beside the creates
READER_CUSTOMERS = 50  # the listing partner's pending customers: one full page
HALF = 0.5  # the paced load: this share of the creates/s the closed loop reached
ADMIN_TOKEN = "bench-admin-token"  # noqa: S105 - a throwaway server's token
TENANTRY = Path(sys.executable).parent / "tenantry"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, url: str, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "server.log"
        env = {
            **os.environ,
            "TENANTRY_DATABASE_URL": url,
            "TENANTRY_ADMIN_TOKEN": ADMIN_TOKEN,
            "TENANTRY_SECRET_KEY": "s" * 32,
            "TENANTRY_PUBLIC_URL": self.base,
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    str(TENANTRY),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    *SERVE_OPTIONS,
                ],
                env=env,
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


Send = Callable[[int], bytes]


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    """Send one request on a kept-alive connection; its status (the body is read)."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding":
            raise RuntimeError("chunked answers are not expected")
    await reader.readexactly(length)
    return status


async def load(port: int, send: Send, clients: int = CLIENTS) -> tuple[list[float], float, int]:
    """Latencies (ms) of every answered request, requests/s, and failures.

    A minimal keep-alive HTTP/1.1 client: httpx's AsyncClient spent ~3 ms of client
    CPU per request here and saturated a core at ~250 requests/s, measuring itself.
    """
    latencies: list[float] = []
    failures = 0
    stop_at = time.perf_counter() + SECONDS

    async def worker(w: int) -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        n = 0
        try:
            while time.perf_counter() < stop_at:
                raw = send(w * 1_000_000 + n)
                started = time.perf_counter()
                status = await exchange(reader, writer, raw)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += status >= 400
                n += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(clients)))
    elapsed = time.perf_counter() - started
    return latencies, len(latencies) / elapsed, failures


async def paced(port: int, send: Send, rate: float) -> list[float]:
    """Latencies (ms) of requests sent at a steady ``rate`` per second over CLIENTS
    kept-alive connections, each measured from when it was due to be sent, so time
    spent waiting for a free connection counts (no coordinated omission)."""
    due: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    failures = 0

    async def connection() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (item := await due.get()) is not None:
                n, at = item
                status = await exchange(reader, writer, send(n))
                latencies.append((time.perf_counter() - at) * 1000)
                failures += status >= 400
        finally:
            writer.close()

    connections = [asyncio.create_task(connection()) for _ in range(CLIENTS)]
    start = time.perf_counter()
    total = int(rate * SECONDS)
    for n in range(total):
        at = start + n / rate
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        due.put_nowait((9_000_000 + n, at))
    for _ in connections:
        due.put_nowait(None)
    await asyncio.gather(*connections)
    if failures:
        raise RuntimeError(f"{failures} of {total} paced requests failed")
    return latencies


def settle(base: str, timeout: float = 180.0) -> None:
    """Wait until the server has no due work left and its views are current, so that a
    phase is not measured against the backlog of the one before."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        readings = dict(
            line.rsplit(" ", 1)
            for line in httpx.get(f"{base}/metrics", timeout=10).text.splitlines()
            if line.startswith(("tenantry_deadlines_due ", "tenantry_projection_lag_events "))
        )
        if readings and all(float(v) == 0 for v in readings.values()):
            return
        time.sleep(0.5)
    raise RuntimeError("the server did not settle")


async def beside_creates(
    port: int, create: Send, pending: Send, healthz: Send
) -> tuple[list[float], list[float]]:
    """Latencies (ms) of another partner's list and of ``/healthz`` while creates load
    the server: ``CLIENTS - 2 * BESIDE`` clients create, ``BESIDE`` list, ``BESIDE``
    ask ``/healthz``."""
    (_, _, created), (listed, _, lists), (trivial, _, healthy) = await asyncio.gather(
        load(port, create, CLIENTS - 2 * BESIDE),
        load(port, pending, BESIDE),
        load(port, healthz, BESIDE),
    )
    if created or lists or healthy:
        raise RuntimeError(f"failures beside the creates: {created}, {lists}, {healthy}")
    return listed, trivial


def phase(port: int, send: Send) -> tuple[float, float, float]:
    """p99 ms, requests/s and mean ms of one phase; failures raise."""
    latencies, rps, failures = asyncio.run(load(port, send))
    if failures:
        raise RuntimeError(f"{failures} of {len(latencies)} requests failed")
    return p99(latencies), rps, sum(latencies) / len(latencies)


def customer(n: int) -> dict[str, str]:
    return {
        "organization_name": f"Bench customer {n}",
        "notification_email": f"c{n}@example.com",
        "sku": "ESSENTIALS_MSP_2025",
    }


def run(url: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        server = Server(url, Path(work))
        try:
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            partner = httpx.post(
                f"{server.base}/v1/partners",
                json={"name": "Bench MSP", "kind": "msp", "status": "production"},
                headers=admin,
            )
            partner.raise_for_status()
            key = {"Authorization": f"Bearer {partner.json()['api_key']}"}
            reader = httpx.post(
                f"{server.base}/v1/partners",
                json={"name": "Bench reader MSP", "kind": "msp", "status": "production"},
                headers=admin,
            )
            reader.raise_for_status()
            reader_key = {"Authorization": f"Bearer {reader.json()['api_key']}"}
            healthz = request("GET", "/healthz", key)
            pending = request("GET", "/v1/customers/pending?limit=50", key)
            others_pending = request("GET", "/v1/customers/pending?limit=50", reader_key)

            def create(n: int) -> bytes:
                return request("POST", "/v1/customers", key, json.dumps(customer(n)).encode())

            for n in range(READER_CUSTOMERS):
                answer = httpx.post(
                    f"{server.base}/v1/customers", json=customer(n), headers=reader_key
                )
                answer.raise_for_status()
            port = server.port
            settle(server.base)
            phase(port, lambda _: healthz)  # warm-up: connections, threads, caches
            trivial_p99, trivial_rps, trivial_mean = phase(port, lambda _: healthz)
            create_p99, create_rps, create_mean = phase(port, create)
            pending_p99, _, _ = phase(port, lambda _: pending)
            settle(server.base)
            listed, beside = asyncio.run(
                beside_creates(port, create, lambda _: others_pending, lambda _: healthz)
            )
            settle(server.base)
            pace = create_rps * HALF
            paced_trivial = p99(asyncio.run(paced(port, lambda _: healthz, pace)))
            paced_create = p99(asyncio.run(paced(port, create, pace)))
        finally:
            server.stop()
    emit("http.create.p99_ms", create_p99, "ms (baseline: /healthz p99)", trivial_p99)
    emit("http.create.rps", create_rps, "requests/s (baseline: /healthz)", trivial_rps)
    emit("http.create_vs_trivial", create_mean, "ms mean (baseline: /healthz)", trivial_mean)
    emit(
        "http.list_pending.p99_ms",
        p99(listed),
        f"ms, another partner's page of {READER_CUSTOMERS} during the creates"
        " (baseline: /healthz p99 beside them)",
        p99(beside),
    )
    emit(
        "http.list_pending_after_creates.p99_ms",
        pending_p99,
        "ms, the creating partner's own list right after its creates (baseline: /healthz p99)",
        trivial_p99,
    )
    emit(
        "http.create.p99_at_half_capacity",
        paced_create,
        f"ms, {pace:.0f} creates/s (half the closed loop's) sent at a steady pace"
        " (baseline: /healthz, same pace)",
        paced_trivial,
    )
