"""Shared pieces: a throwaway PostgreSQL database, timing, and the JSON line format."""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from uuid import UUID

import psycopg

from api.bootstrap import Services
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus

ADMIN = Actor(kind=ActorKind.ADMIN, id="bench")

ADMIN_URL = os.environ.get(
    "TENANTRY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def emit(name: str, value: float, unit: str, baseline: float | None = None) -> None:
    ratio = None if not baseline else round(value / baseline, 3)
    line = {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio,
    }
    print(json.dumps(line), flush=True)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Print on stderr how long ``name`` took: where a suite's minutes go, setup
    included (``benchmarks/__main__.py`` prints each suite's total)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        print(f"#   {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


@contextmanager
def scratch_database() -> Iterator[str]:
    name = f"tenantry_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rate(workers: int, seconds: float, work: Callable[[int], Callable[[], None]]) -> float:
    """Operations per second with ``workers`` threads, each looping its own operation."""
    operations = [work(i) for i in range(workers)]
    counts = [0] * workers
    stop = threading.Event()

    def loop(i: int) -> None:
        op = operations[i]
        while not stop.is_set():
            op()
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 100 else max(samples)


def msp_with_customers(services: Services, count: int, name: str) -> tuple[Actor, list[UUID]]:
    """An MSP in production and ``count`` customers of its: the common starting point."""
    partner, key = services.partners.register(
        name="Bench MSP", kind=PartnerKind.MSP, status=PartnerStatus.PRODUCTION, by=ADMIN
    )
    msp = services.auth.authenticate(key)
    assert msp is not None
    customers = [
        services.customers.add(
            partner_id=partner.id,
            organization_name=f"{name} {i}",
            notification_email=f"c{i}@example.com",
            sku="ESSENTIALS_MSP_2025",
            addons=[],
            by=msp,
        ).customer.id
        for i in range(count)
    ]
    return msp, customers
