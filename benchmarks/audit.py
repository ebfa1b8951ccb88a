"""audit.as_of_ms: a customer's state as of an instant, with 1,000 events behind it."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from api.bootstrap import build
from application.clock import TestClock
from application.settings import Settings
from benchmarks.harness import emit
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus

ADMIN = Actor(kind=ActorKind.ADMIN, id="bench")
EVENTS = 1000


def run(url: str) -> None:
    clock = TestClock(datetime(2026, 1, 1, tzinfo=UTC))
    services = build(Settings(database_url=url, secret_key="b" * 32), clock)
    try:
        partner, key = services.partners.register(
            name="Bench MSP", kind=PartnerKind.MSP, status=PartnerStatus.PRODUCTION, by=ADMIN
        )
        msp = services.auth.authenticate(key)
        assert msp is not None
        customer_id = services.customers.add(
            partner_id=partner.id,
            organization_name="Long history",
            notification_email="long@example.com",
            sku="ESSENTIALS_MSP_2025",
            addons=[],
            by=msp,
        ).customer.id
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
