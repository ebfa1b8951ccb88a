"""clock.burst_vs_commands: a burst of due trial ends against as many plain commands.

10k customers, all onboarded at once (bulk-loaded with COPY, views rebuilt), reach
their trial end together; the process manager's sweeps upgrade them all (each
customer has two due deadlines: the notice, too late now, which upgrades it, and
the trial end, then a no-op). The baseline is 10k plain commands (a subscription
change) on the same customers, each also loaded from the database. Time per customer.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from application.clock import TestClock
from application.saved_states import SavedStates
from benchmarks.harness import emit
from benchmarks.projection_bench import T0, load
from benchmarks.scale import ADMIN, bench_macs, register_partners, services_for
from domain.values import Actor, ActorKind, Status

CUSTOMERS = 10_000


def run(url: str, customers: int = CUSTOMERS) -> None:
    clock = TestClock(T0 - timedelta(days=1))
    with tempfile.TemporaryDirectory() as work:
        services = services_for(url, Path(work) / "outbox", clock)
        try:
            partners = register_partners(services)
            load(url, customers, partners, onboard_every=1, macs=bench_macs())
            services.views.rebuild()
            owned = [
                (row["id"], Actor(kind=ActorKind.MSP, id=str(row["partner_id"])))
                for row in services.views.db.rows(
                    "SELECT id, partner_id FROM view_customers ORDER BY id"
                )
            ]
            clock.set(T0 + timedelta(days=15))
            start = time.perf_counter()
            upgraded = 0
            while (report := services.manager.sweep()).handled:
                upgraded += report.done
            burst = time.perf_counter() - start
            if upgraded != customers:
                raise RuntimeError(f"the sweeps upgraded {upgraded} of {customers}")
            services.customers.uow.saved = SavedStates()  # each command loads, as above
            start = time.perf_counter()
            for i, (customer_id, owner) in enumerate(owned):
                services.customers.change_subscription(
                    customer_id, addons=["AUDIT"] if i % 2 else ["DELEGATION"], by=owner
                )
            commands = time.perf_counter() - start
            production = services.queries.get(owned[-1][0], by=ADMIN).status
            if production is not Status.PRODUCTION:
                raise RuntimeError(f"customer is {production}, not production")
        finally:
            services.close()
    emit(
        "clock.burst_vs_commands",
        burst / customers * 1000,
        f"ms per customer ({customers} due upgrades; baseline: plain commands)",
        commands / customers * 1000,
    )
