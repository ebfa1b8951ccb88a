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
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from adapters.data_keys import PLAIN, DataKeys
from adapters.event_macs import EventMacs
from adapters.event_store import open_event_store
from adapters.histories import histories_of
from adapters.sql import open_database
from application.lists import ListQuery
from benchmarks.names import organization_names
from domain.customer import Customer
from domain.values import Actor, ActorKind, Policy, Source, Status
from projections.views import Views

ADMIN_URL = os.environ.get(
    "TENANTRY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
PARTNERS = [uuid.UUID(int=i + 1) for i in range(100)]
# What a partner types to find a customer: part of a common surname (in about 3 % of
# the generated names, as common surnames are in real ones).
SEARCH = "johnson"


def templates() -> list[tuple[str, dict[str, Any]]]:
    """One stored state per event type, from real events through the real mapper."""
    store = open_event_store("memory://")
    actor = Actor(kind=ActorKind.ADMIN, id="bench")
    env = {"originator_id": uuid.uuid4(), "timestamp": T0, "recorded_at": T0, "actor": actor}
    events = [
        Customer.Created(
            **env, originator_version=1, organization_name="x", notification_email="a@b.co",
            sku="ESSENTIALS_MSP_2025", addons=("AUDIT",), partner_id=PARTNERS[0],
            distributor_id=None, source=Source.MSP, link_expires_at=T0 + timedelta(days=7),
            policy=Policy(),
        ),
        Customer.Activated(**env, originator_version=2, link_version=1),
        Customer.Onboarded(
            **env, originator_version=3, trial_ends_at=T0 + timedelta(days=14), policy=Policy()
        ),
    ]  # fmt: skip
    stored = [store.mapper.to_stored_event(e) for e in events]
    store.close()
    return [(s.topic, json.loads(s.state)) for s in stored]


def rows(
    count: int, partners: list[uuid.UUID] = PARTNERS, onboard_every: int = 4
) -> Iterator[tuple[uuid.UUID, int, str, bytes, bytes | None]]:
    """Customer ``i`` is created at T0 + i seconds, with a realistic organization name
    (benchmarks/names.py, the same for every run); every ``onboard_every``-th one is
    also activated and onboarded (its trial ends at T0 + 14 days). Each customer's
    address is sealed under a data key of its own, given with its first event as it is
    stored in ``data_keys`` (adapters/data_keys.py)."""
    (created_topic, created), *lifecycle = templates()
    names = organization_names()
    for i, name in zip(range(count), names, strict=False):
        cid = uuid.uuid4()
        at = (T0 + timedelta(seconds=i)).isoformat()
        key = os.urandom(32)
        state = {**created, "organization_name": name, "timestamp": at}
        state["partner_id"] = str(partners[i % len(partners)])
        state["notification_email"] = DataKeys.seal(key, cid, "notification_email", "a@b.co")
        yield cid, 1, created_topic, json.dumps(state).encode(), PLAIN + key
        if i % onboard_every == 0:
            for version, (topic, template) in enumerate(lifecycle, start=2):
                yield cid, version, topic, json.dumps({**template, "timestamp": at}).encode(), None


def fresh_database(name: str) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def load(
    url: str,
    customers: int,
    partners: list[uuid.UUID] = PARTNERS,
    onboard_every: int = 4,
    macs: EventMacs | None = None,
) -> int:
    """Bulk-load customers' events; with ``macs``, signed as the service signs them (a
    service built with that key refuses unsigned events)."""
    store = open_event_store(url)  # creates the library's tables
    store.close()
    keys: list[tuple[uuid.UUID, bytes, float]] = []
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        copy_sql = (
            "COPY tenantry_events (originator_id, originator_version, topic, state) FROM STDIN"
        )
        with cur.copy(copy_sql) as copy:
            for cid, version, topic, state, key in rows(customers, partners, onboard_every):
                signed = macs.sign(cid, version, topic, state) if macs else state
                copy.write_row((cid, version, topic, signed))
                if key is not None:
                    keys.append((cid, key, 0.0))
        with cur.copy("COPY data_keys (subject_id, key, created_at) FROM STDIN") as copy:
            for row in keys:
                copy.write_row(row)
        conn.execute("ANALYZE tenantry_events")
        conn.execute("ANALYZE data_keys")
        result = conn.execute("SELECT count(*) FROM tenantry_events").fetchone()
    return int(result[0]) if result else 0


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
