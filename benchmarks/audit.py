"""audit.as_of_ms: a customer's state as of an instant, with 1,000 events behind it."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from api.bootstrap import build
from api.settings import Settings
from application.clock import TestClock
from benchmarks.harness import ADMIN, emit, msp_with_customers

EVENTS = 1000


def run(url: str) -> None:
    clock = TestClock(datetime(2026, 1, 1, tzinfo=UTC))
    services = build(Settings(database_url=url, secret_key="b" * 32), clock)
    try:
        msp, [customer_id] = msp_with_customers(services, 1, "Long history")
        for i in range(EVENTS - 1):
            clock.advance(timedelta(minutes=1))
            addons = ["AUDIT"] if i % 2 else ["DELEGATION"]
            services.customers.change_subscription(customer_id, addons=addons, by=msp)
        middle = clock.now() - timedelta(minutes=EVENTS // 2)
        samples = []
        for _ in range(30):
            started = time.perf_counter()
            services.queries.get(customer_id, by=ADMIN, as_of=middle)
            samples.append((time.perf_counter() - started) * 1000)
        full = []
        for _ in range(10):
            started = time.perf_counter()
            services.queries.get(customer_id, by=ADMIN)
            full.append((time.perf_counter() - started) * 1000)
        emit("audit.as_of_ms", statistics.median(samples), "ms", statistics.median(full))
    finally:
        services.close()
