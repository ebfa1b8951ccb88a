"""projection.lag_p99_ms: from a command's return until the views reflect it.

The views' follower runs in this process (woken by PostgreSQL NOTIFY, polling as a
fallback); writers issue commands for a bounded time; after each command the writer
notes the notification position the command returned (``Outcome.position``) and
polls until ``views.follower.position`` reaches it. The baseline is the p99 of the
commands themselves.
"""

from __future__ import annotations

import itertools
import threading
import time

from api.bootstrap import build
from api.settings import Settings
from application.clock import SystemClock
from benchmarks.harness import emit, msp_with_customers, p99

WRITERS = 4
SECONDS = 8.0
POLL_S = 0.0002


def run(url: str) -> None:
    services = build(Settings(database_url=url, secret_key="b" * 32), SystemClock())
    try:
        msp, customers = msp_with_customers(services, WRITERS, "Lag")
        services.views.start()
        follower = services.views.follower
        lags: list[float] = []
        commands: list[float] = []
        stop_at = time.perf_counter() + SECONDS

        def writer(i: int) -> None:
            toggle = itertools.cycle([["AUDIT"], ["DELEGATION"]])
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                outcome = services.customers.change_subscription(
                    customers[i], addons=next(toggle), by=msp
                )
                returned = time.perf_counter()
                assert outcome.position is not None
                while follower.position < outcome.position:
                    time.sleep(POLL_S)
                lags.append((time.perf_counter() - returned) * 1000)
                commands.append((returned - started) * 1000)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        services.close()
    emit("projection.lag_p99_ms", p99(lags), "ms (baseline: command p99)", p99(commands))
