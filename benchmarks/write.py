"""write.app_vs_raw.cN: application commands/s against raw single-row INSERT commits/s."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg

from api.bootstrap import build
from api.settings import Settings
from application.clock import SystemClock
from benchmarks.harness import emit, msp_with_customers, rate

SECONDS = 5.0


def raw_insert_rate(url: str, workers: int) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body text)")

    def work(_: int) -> Callable[[], None]:
        conn = psycopg.connect(url, autocommit=True)
        return lambda: conn.execute("INSERT INTO bench_raw (body) VALUES (%s)", ("x" * 300,))

    return rate(workers, SECONDS, work)


def app_command_rate(url: str, workers: int) -> float:
    services = build(Settings(database_url=url, secret_key="b" * 32), SystemClock())
    msp, customers = msp_with_customers(services, workers, "Customer")
    choices = [["AUDIT"], ["DELEGATION"]]

    def work(i: int) -> Callable[[], None]:
        toggle = itertools.cycle(choices)
        return lambda: (
            services.customers.change_subscription(customers[i], addons=next(toggle), by=msp)
            and None
        )

    try:
        return rate(workers, SECONDS, work)
    finally:
        services.close()


def run(url: str) -> None:
    _ = datetime.now(UTC)
    for workers in (1, 8):
        raw = raw_insert_rate(url, workers)
        app = app_command_rate(url, workers)
        emit(f"write.app_vs_raw.c{workers}", app, "commands/s", raw)
