"""Scale: the same work among 1M customers and among 10k, on PostgreSQL.

Each size bulk-loads customers with COPY (``Customer.Created``; every fourth one also
activated and onboarded) owned by 100 registered partners, then measures:

- ``projection.rebuild_events_per_s``: rebuilding every view from the events with
  ``tenantry projections rebuild``, run once as its own process and timed by itself (the
  baseline is the same at 10k customers), and ``projection.rebuild_vs_scan``: that
  rebuild against merely reading the notification log in the same batches;
- ``projection.rebuild_peak_rss_mb``: the peak resident memory of that same process
  (the baseline: the same at 10k customers);
- ``query.page_1m_vs_10k``: the median of a mixed set of list pages;
- ``clock.sweep_1m_vs_10k``: ``ProcessManager.sweep()`` with 100 activation emails due
  (written to an outbox directory, each recorded with a command), three rounds;
- ``console.page_ms`` and ``console.page_weight_kb`` (benchmarks/console_bench.py);
- ``analytics.query_ms``: the trial analytics of the customers created in the first two
  hours (7,200 at either size), for the auditor and for one MSP, by week.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

from api.bootstrap import Services, build
from api.settings import Settings
from application.authorization import visible_to
from application.clock import TestClock
from application.trial_analytics import GroupBy, TrialFilter
from benchmarks.console_bench import BUDGET_KB, page_ms
from benchmarks.fixtures import T0, load
from benchmarks.harness import emit, phase, scratch_database
from benchmarks.projection_bench import page_latency
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus

ADMIN = Actor(kind=ActorKind.ADMIN, id="bench")
BIG = 1_000_000
SMALL = 10_000
DUE = 100
ROUNDS = 3
TENANTRY = Path(sys.executable).parent / "tenantry"
CONSOLE_AT = 100_000  # the console's page is measured at the big size only


SECRET = "b" * 32


def services_for(url: str, outbox: Path, clock: TestClock) -> Services:
    return build(Settings(database_url=url, secret_key=SECRET, outbox_dir=outbox), clock)


def register_partners(services: Services, count: int = 100) -> list[Any]:
    return [
        services.partners.register(
            name=f"Partner {i}", kind=PartnerKind.MSP, status=PartnerStatus.PRODUCTION, by=ADMIN
        )[0].id
        for i in range(count)
    ]


def scan_seconds(services: Services) -> float:
    recorder = services.store.recorder
    start = time.perf_counter()
    position = 0
    while batch := recorder.select_notifications(position, 5000, inclusive_of_start=False):
        position = batch[-1].id
    return time.perf_counter() - start


def sweep_seconds(services: Services, clock: TestClock) -> float:
    """Seconds per sweep that finds and does ``DUE`` activation emails (median of rounds)."""
    timings = []
    for round_ in range(1, ROUNDS + 1):
        rows = services.views.db.rows(
            "SELECT due_at FROM view_deadlines WHERE kind = 'activation_email' "
            "ORDER BY due_at, customer_id LIMIT 1 OFFSET ?",
            [DUE * round_ - 1],
        )
        clock.set(services.views.db.instant(rows[0]["due_at"]))
        start = time.perf_counter()
        report = services.manager.sweep()
        timings.append(time.perf_counter() - start)
        if report.done != DUE:
            raise RuntimeError(f"sweep did {report.done} of {DUE}: {report}")
    return sorted(timings)[len(timings) // 2]


def analytics_seconds(services: Services, partner_id: Any, repeats: int = 15) -> float:
    """Median seconds of the trial analytics over the same 7,200 customers (created a
    second apart from T0) at any size: for the auditor, and for one MSP."""
    counts = services.views.trial_counts
    viewers = [
        Actor(kind=ActorKind.AUDITOR, id="bench"),
        Actor(kind=ActorKind.MSP, id=str(partner_id)),
    ]
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for viewer in viewers:
            query = TrialFilter(
                visible=visible_to(viewer),
                start=T0,
                end=T0 + timedelta(hours=2),
                group_by=GroupBy.WEEK,
                now=T0 + timedelta(days=30),
            )
            assert counts.cohorts(query), "the analytics counted no trial"
        timings.append((time.perf_counter() - start) / len(viewers))
    return statistics.median(timings)


def measure(url: str, customers: int) -> dict[str, float]:
    clock = TestClock(T0 - timedelta(days=1))
    with tempfile.TemporaryDirectory() as work:
        services = services_for(url, Path(work) / "outbox", clock)
        try:
            size = f"{customers:,} customers"
            with phase(f"{size}: load"):
                partners = register_partners(services)
                events = load(url, customers, partners, secret=SECRET.encode())
            with phase(f"{size}: scan"):
                scan = scan_seconds(services)
            # One rebuild, as operators run it: its own process, timed by itself, its
            # peak memory read from the kernel.
            with phase(f"{size}: rebuild in a process"):
                rebuild, rss = rebuild_in_a_process(url, Path(work))
            with phase(f"{size}: pages, analytics, sweeps, console"):
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("ANALYZE")
                page = page_latency(services.views, partner_id=partners[7])
                analytics = analytics_seconds(services, partners[7])
                sweep = sweep_seconds(services, clock)
                big = customers >= CONSOLE_AT
                console, api, weight = page_ms(services) if big else (0, 0, 0)
        finally:
            services.close()
    return {
        "events": events,
        "scan": scan,
        "rebuild": rebuild,
        "page": page,
        "analytics": analytics,
        "sweep": sweep,
        "console": console,
        "api": api,
        "weight": weight,
        "rss": rss,
    }


def rebuild_in_a_process(url: str, home: Path) -> tuple[float, float]:
    """``tenantry projections rebuild`` run as its own process on ``url``: the seconds
    it reports for the rebuild itself (its start-up left out) and its peak resident
    memory in MB (as ``/usr/bin/time -v`` reports it: the child's ru_maxrss)."""
    env = {
        **os.environ,
        "TENANTRY_DATABASE_URL": url,
        "TENANTRY_SECRET_KEY": SECRET,
        "TENANTRY_HOME": str(home),
    }
    child = subprocess.Popen(  # noqa: S603
        [str(TENANTRY), "projections", "rebuild"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdout is not None
    answer = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"tenantry projections rebuild exited {child.returncode}")
    seconds = float(json.loads(answer.splitlines()[-1])["seconds"])
    return seconds, usage.ru_maxrss / 1024  # kilobytes on Linux


def run(url: str, big: int = BIG, small: int = SMALL) -> None:
    with scratch_database() as small_url:
        few = measure(small_url, small)
    many = measure(url, big)
    emit(
        "projection.rebuild_events_per_s",
        many["events"] / many["rebuild"],
        f"events/s ({int(many['events'])} events; baseline: {int(few['events'])})",
        few["events"] / few["rebuild"],
    )
    emit("projection.rebuild_vs_scan", many["rebuild"], "s", many["scan"])
    emit(
        "projection.rebuild_peak_rss_mb",
        many["rss"],
        f"MB, tenantry projections rebuild of {int(many['events'])} events"
        f" (baseline: {int(few['events'])})",
        few["rss"],
    )
    emit("query.page_1m_vs_10k", many["page"] * 1000, "ms", few["page"] * 1000)
    emit(
        "analytics.query_ms",
        many["analytics"] * 1000,
        "ms (7,200 trials, auditor and one MSP; baseline: the same at 10k customers)",
        few["analytics"] * 1000,
    )
    emit("clock.sweep_1m_vs_10k", many["sweep"] * 1000, "ms", few["sweep"] * 1000)
    emit(
        "console.page_ms",
        many["console"],
        "ms (50 rows at 1M; baseline: the JSON page)",
        many["api"],
    )
    emit("console.page_weight_kb", many["weight"], "KB gzip (baseline: the budget)", BUDGET_KB)
