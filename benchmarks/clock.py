"""The clock against a mass trial end, on PostgreSQL; the baseline: plain commands.

10k customers, all onboarded at once (bulk-loaded with COPY, views rebuilt), reach
their trial end together. The process manager's sweeps upgrade them all, the views
catching up between sweeps as the test clock's settling lets them (each customer has
two due deadlines: the notice, too late now, which upgrades it, and the trial end,
which the views drop with the upgrade). The baseline is 10k plain commands (a
subscription change) on the same customers, each also loaded from the database, then
the views catching up on them: the same end, one event a customer, recorded and
followed.

- ``clock.burst_vs_commands``: the sweeps' time against the commands' (ms a customer);
- ``clock.burst_settled_vs_commands``: both with the views' catching up (ms a customer);
- ``clock.burst_100k_s`` and ``clock.burst_100k_settled_s``: the same with 100k
  customers, in seconds, against 100k plain commands timed on every twentieth
  customer (5k commands, ids in random order) and counted twenty times: a command's
  cost does not grow with the number of customers, and the whole bench must stay
  within its minutes. One command's standard deviation was 1.2 times its mean on a
  machine loaded by other work (4,000 timed one by one), so the mean of 5k has a
  standard error of ~1.7 % there (1.2 % with 10k, as before), less on a quiet one.

The views follow in the measuring thread (no follower thread runs). Without them
following, the claims on work done would expire after a minute (``LEASE_S``) and a
long burst would do it all again as no-ops.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from api.bootstrap import Services
from application.clock import TestClock
from application.saved_states import SavedStates
from benchmarks.fixtures import T0, load
from benchmarks.harness import emit, phase
from benchmarks.scale import ADMIN, SECRET, register_partners, services_for
from domain.customer import Customer
from domain.values import Actor, ActorKind, Status

CUSTOMERS = 10_000
MANY = 100_000
SAMPLE_EVERY = 20  # at 100k, the plain commands' baseline is timed on 1 in 20


@dataclass(frozen=True)
class Timings:
    sweeps: float  # seconds in the process manager's sweeps
    burst: float  # the sweeps and the views catching up
    commands: float  # the plain commands (on the sample)
    followed: float  # the commands and the views catching up


def run(url: str, customers: int = CUSTOMERS) -> None:
    t = measure(url, customers, sample_every=1)
    per_customer = 1000 / customers
    emit(
        "clock.burst_vs_commands",
        t.sweeps * per_customer,
        f"ms per customer ({customers} due upgrades; baseline: plain commands)",
        t.commands * per_customer,
    )
    emit(
        "clock.burst_settled_vs_commands",
        t.burst * per_customer,
        f"ms per customer ({customers} due upgrades and the views following; "
        "baseline: plain commands and the views following)",
        t.followed * per_customer,
    )


def run_100k(url: str, customers: int = MANY) -> None:
    t = measure(url, customers, sample_every=SAMPLE_EVERY)
    sample = f"timed on 1 in {SAMPLE_EVERY}"
    emit(
        "clock.burst_100k_s",
        t.sweeps,
        f"s ({customers} due upgrades; baseline: {customers} plain commands, {sample})",
        t.commands * SAMPLE_EVERY,
    )
    emit(
        "clock.burst_100k_settled_s",
        t.burst,
        f"s ({customers} due upgrades and the views following; baseline: {customers} "
        f"plain commands and the views following, {sample})",
        t.followed * SAMPLE_EVERY,
    )


def measure(url: str, customers: int, sample_every: int) -> Timings:
    """The burst that upgrades ``customers``, and plain commands on every
    ``sample_every``-th of them."""
    clock = TestClock(T0 - timedelta(days=1))
    with tempfile.TemporaryDirectory() as work:
        services = services_for(url, Path(work) / "outbox", clock)
        try:
            size = f"{customers:,} customers"
            with phase(f"{size}: load"):
                partners = register_partners(services)
                load(url, customers, partners, onboard_every=1, secret=SECRET.encode())
            with phase(f"{size}: the views rebuilt"):
                services.views.rebuild()
            owned = [
                (row["id"], Actor(kind=ActorKind.MSP, id=str(row["partner_id"])))
                for row in services.views.db.rows(
                    "SELECT id, partner_id FROM view_customers ORDER BY id"
                )
            ][::sample_every]
            clock.set(T0 + timedelta(days=15))
            start = time.perf_counter()
            with phase(f"{size}: the burst"):
                sweeps = burst(services)
            burst_s = time.perf_counter() - start
            upgraded = count(services, Customer.UpgradedToProduction.TOPIC)
            if upgraded != customers:
                raise RuntimeError(f"the sweeps upgraded {upgraded} of {customers}")
            services.customers.uow.saved = SavedStates()  # each command loads, as above
            with phase(f"{size}: the baseline's {len(owned):,} commands"):
                start = time.perf_counter()
                for i, (customer_id, owner) in enumerate(owned):
                    services.customers.change_subscription(
                        customer_id, addons=["AUDIT"] if i % 2 else ["DELEGATION"], by=owner
                    )
                commands = time.perf_counter() - start
                caught_up(services)
                followed = time.perf_counter() - start
            production = services.queries.get(owned[-1][0], by=ADMIN).status
            if production is not Status.PRODUCTION:
                raise RuntimeError(f"customer is {production}, not production")
        finally:
            services.close()
    return Timings(sweeps=sweeps, burst=burst_s, commands=commands, followed=followed)


def burst(services: Services) -> float:
    """Sweep, the views catching up before each sweep, until a sweep finds nothing due;
    the seconds spent in the sweeps."""
    sweeps = 0.0
    while True:
        caught_up(services)
        start = time.perf_counter()
        report = services.manager.sweep()
        sweeps += time.perf_counter() - start
        if not report.handled:
            return sweeps


def caught_up(services: Services) -> None:
    if not services.views.wait_until_current(timeout=3600):
        raise RuntimeError("the views did not catch up")


def count(services: Services, topic: str) -> int:
    with services.views.db.transaction() as tx:
        [row] = tx.rows("SELECT count(*) AS n FROM tenantry_events WHERE topic = ?", [topic])
    return int(row["n"])
