"""webhooks.*: how fast the events become deliveries, and deliveries arrive.

A receiver on a loopback port notes when each delivery arrives (by the event's position
in its body). ``enqueue_lag_p99_ms``: from a command's return until its delivery row is
visible in the database (baseline: until the views reflect it, the same run).
``delivery_p99_ms``: from a command's return until the receiver has the delivery
(baseline: one plain ``httpx`` POST to the same receiver); each writer waits for its
delivery before the next command, so no backlog of the writers' making adds to it.
``deliveries_per_s``: a backlog of deliveries to 8 endpoints drained by this
process's senders (baseline: plain ``httpx`` POSTs of a like body to the same
receiver from this process, with as many threads as there are senders).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from api.bootstrap import Services, build
from api.settings import Settings
from application.clock import SystemClock
from application.webhook_workers import SENDERS
from benchmarks.harness import emit, msp_with_customers, p99, rate
from domain.values import Actor
from projections.sql import Database

WRITERS = 2
SECONDS = 6.0
BACKLOG = 150  # events, each to every one of SENDERS endpoints
POLL_S = 0.0005


class Arrivals:
    """A loopback receiver answering 204, noting when each position first arrived."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.count = 0
        self.lock = threading.Lock()
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                now = time.perf_counter()
                position = json.loads(body).get("data", {}).get("event", {}).get("position")
                with arrivals.lock:
                    arrivals.count += 1
                    if isinstance(position, int):
                        arrivals.at.setdefault(position, now)
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(url: str) -> None:
    settings = Settings(database_url=url, secret_key="b" * 32, webhooks_allow_insecure=True)
    services = build(settings, SystemClock())
    receiver = Arrivals()
    try:
        msp, customers = msp_with_customers(services, WRITERS, "Hooks")
        register(services, msp, receiver.url)
        services.views.start()
        services.webhook_workers.start()
        latencies(services, msp, customers, receiver)
        throughput(services, msp, customers, receiver)
    finally:
        services.close()
        receiver.close()


def register(services: Services, by: Actor, url: str) -> None:
    services.webhooks.register(
        url=url, event_types=[], description="bench", alert_email=None, partner_id=None, by=by
    )


def latencies(services: Services, msp: Actor, customers: list[Any], receiver: Arrivals) -> None:
    follower, db = services.views.follower, services.views.db
    views: list[float] = []
    enqueued: list[float] = []
    returns: dict[int, float] = {}
    stop_at = time.perf_counter() + SECONDS

    def writer(i: int) -> None:
        toggle = itertools.cycle([["AUDIT"], ["DELEGATION"]])
        while time.perf_counter() < stop_at:
            outcome = services.customers.change_subscription(
                customers[i], addons=next(toggle), by=msp
            )
            returned = time.perf_counter()
            assert outcome.position is not None
            returns[outcome.position] = returned
            while follower.position < outcome.position:
                time.sleep(POLL_S)
            views.append((time.perf_counter() - returned) * 1000)
            while not has_delivery(db, outcome.position):
                time.sleep(POLL_S)
            enqueued.append((time.perf_counter() - returned) * 1000)
            until = time.perf_counter() + 10  # closed loop: no backlog of its own making
            while outcome.position not in receiver.at and time.perf_counter() < until:
                time.sleep(POLL_S)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.perf_counter() + 30
    while len(set(returns) - set(receiver.at)) and time.perf_counter() < deadline:
        time.sleep(0.01)
    delivered = [(receiver.at[p] - t) * 1000 for p, t in returns.items() if p in receiver.at]
    assert len(delivered) == len(returns), "deliveries missing"
    emit("webhooks.enqueue_lag_p99_ms", p99(enqueued), "ms (baseline: views lag p99)", p99(views))
    body = b'{"type":"customer.subscription_changed","data":{}}' + b" " * 1500
    with httpx.Client(timeout=15) as client:
        posts = []
        for _ in range(300):
            started = time.perf_counter()
            client.post(receiver.url, content=body, headers={"content-type": "application/json"})
            posts.append((time.perf_counter() - started) * 1000)
    emit(
        "webhooks.delivery_p99_ms",
        p99(delivered),
        "ms commit to receiver (baseline: plain httpx POST p99)",
        p99(posts),
    )


def has_delivery(db: Database, position: int) -> bool:
    return bool(db.rows("SELECT 1 FROM webhook_deliveries WHERE position = ?", [position]))


def throughput(services: Services, msp: Actor, customers: list[Any], receiver: Arrivals) -> None:
    """A backlog enqueued with the senders stopped, then drained by them."""
    services.webhook_workers.stop()
    for i in range(SENDERS - 1):
        register(services, msp, receiver.url + f"/{i}")
    for i in range(BACKLOG):
        addons = ["AUDIT"] if (i // len(customers)) % 2 else ["DELEGATION"]
        services.customers.change_subscription(customers[i % len(customers)], addons=addons, by=msp)
    services.views.follower.wait_for(services.store.recorder.max_notification_id() or 0, 60)
    [row] = services.views.db.rows(
        "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'"
    )
    pending = int(row["n"])
    before = receiver.count
    started = time.perf_counter()
    services.webhook_workers.start()
    while receiver.count - before < pending and time.perf_counter() - started < 120:
        time.sleep(0.005)
    per_s = (receiver.count - before) / (time.perf_counter() - started)
    body = b'{"type":"customer.subscription_changed","data":{}}' + b" " * 1500
    clients = [httpx.Client(timeout=15) for _ in range(SENDERS)]
    try:
        plain = rate(SENDERS, 3.0, lambda i: lambda: _post(clients[i], receiver.url, body))
    finally:
        for client in clients:
            client.close()
    emit(
        "webhooks.deliveries_per_s",
        per_s,
        f"deliveries/s ({pending} to {SENDERS} endpoints; baseline: httpx POSTs/s, "
        f"{SENDERS} threads)",
        plain,
    )


def _post(client: httpx.Client, url: str, body: bytes) -> None:
    client.post(url, content=body, headers={"content-type": "application/json"})
