"""Projection benchmark on PostgreSQL: rebuild speed and page latency by table size.

    python -m benchmarks.projection_bench [--customers 1000000] [--small 10000]

Bulk-loads ``Customer.Created`` events (a quarter also activated and onboarded) with
COPY into the library's events table of a scratch database, rebuilds the views, and
prints one JSON object per line: {"name", "value", "unit", "baseline", "ratio"}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid

import psycopg

from adapters.event_store import open_event_store
from adapters.histories import histories_of
from adapters.sql import open_database
from application.lists import ListQuery
from benchmarks.fixtures import PARTNERS, load
from domain.values import Actor, ActorKind, Policy, Status
from projections.views import Views

ADMIN_URL = os.environ.get(
    "TENANTRY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# What a partner types to find a customer: part of a common surname (in about 3 % of
# the generated names, as common surnames are in real ones).
SEARCH = "johnson"


def fresh_database(name: str) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def page_latency(views: Views, repeats: int = 30, partner_id: uuid.UUID = PARTNERS[7]) -> float:
    """Median seconds of a mixed set of pages: first page, a partner's deep page, search."""
    auditor = Actor(kind=ActorKind.AUDITOR, id="bench")
    partner = Actor(kind=ActorKind.MSP, id=str(partner_id))
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        first = views.reader.pending(ListQuery(auditor, 50))
        views.reader.pending(ListQuery(auditor, 50, cursor=first.next_cursor))
        views.reader.pending(ListQuery(partner, 50))
        views.reader.onboarded(ListQuery(partner, 50), Status.TRIAL)
        views.reader.pending(ListQuery(auditor, 50, q=SEARCH))
        timings.append((time.perf_counter() - start) / 5)
    return statistics.median(timings)


def measure(url: str, customers: int) -> dict[str, float]:
    events = load(url, customers)
    store = open_event_store(url)
    db = open_database(url)
    views = Views(db, store.recorder, store.mapper, Policy(), histories_of(db, store.recorder))
    start = time.perf_counter()
    position = 0
    while batch := store.recorder.select_notifications(position, 5000, inclusive_of_start=False):
        position = batch[-1].id
    scan = time.perf_counter() - start
    start = time.perf_counter()
    views.rebuild()
    rebuild = time.perf_counter() - start
    with psycopg.connect(url) as conn:
        conn.execute("ANALYZE")
    latency = page_latency(views)
    views.close()
    store.close()
    return {"events": events, "scan": scan, "rebuild": rebuild, "page": latency}


def emit(name: str, value: float, unit: str, baseline: float | None) -> None:
    ratio = value / baseline if baseline else None
    print(
        json.dumps(
            {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    small = measure(fresh_database("tenantry_bench_small"), args.small)
    big = measure(fresh_database("tenantry_bench_big"), args.customers)
    emit("projection.rebuild_events_per_s", big["events"] / big["rebuild"], "events/s", None)
    emit(
        "projection.rebuild_vs_scan",
        big["rebuild"],
        "s",
        big["scan"],
    )
    emit("query.page_1m_vs_10k", big["page"] * 1000, "ms", small["page"] * 1000)


if __name__ == "__main__":
    main()
