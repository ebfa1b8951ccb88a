"""Retention on every backend: the background work purges what is kept for a while
only (finished work claims, old webhook deliveries and their attempts, expired sessions,
sign-in links and idempotency rows), in bounded batches, counted by table for
``/metrics``; pending work and the events are never purged."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient

from adapters.retention import Retention, Rule
from api.app import create_app
from api.bootstrap import Services

DAY = timedelta(days=1)


def claims(services: Services, count: int, until: float) -> None:
    with services.views.db.transaction() as tx:
        tx.executemany(
            "INSERT INTO work_claims (customer_id, kind, due_at, owner, until)"
            " VALUES (?, ?, ?, ?, ?)",
            [(uuid.uuid4(), "trial_end", services.clock.now(), "w", until) for _ in range(count)],
        )


def deliveries(services: Services, count: int, status: str, age: timedelta) -> None:
    at = services.clock.now() - age
    rows = [(f"msg_{uuid.uuid4().hex}", status, at) for _ in range(count)]
    with services.views.db.transaction() as tx:
        tx.executemany(
            "INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, customer_id,"
            " customer_version, position, event_type, status, attempts, created_at)"
            f" VALUES (?, '{uuid.uuid4()}', '{uuid.uuid4()}', '{uuid.uuid4()}', 1, 1,"
            " 'customer.created', ?, 1, ?)",
            rows,
        )
        tx.executemany(
            "INSERT INTO webhook_attempts (delivery_id, number, at, status_code, duration_ms,"
            " excerpt) VALUES (?, 1, ?, 200, 5, '')",
            [(delivery_id, created) for delivery_id, _, created in rows],
        )


def count(services: Services, table: str, where: str = "1 = 1") -> int:
    return int(services.views.db.rows(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}")[0]["n"])


def test_finished_work_claims_older_than_their_retention_are_purged(services: Services) -> None:
    # Given claims that ended eight days ago, and one that holds for another minute
    claims(services, 3, time.time() - 8 * 86_400)
    claims(services, 1, time.time() + 60)
    # When the background work's retention runs
    assert services.retention is not None
    services.retention.purge()
    # Then the old ones went, the live one stays, and the count says so
    assert count(services, "work_claims") == 1
    assert services.retention.counts()["work_claims"] == 3


def test_old_finished_deliveries_go_with_their_attempts_and_pending_ones_stay(
    services: Services,
) -> None:
    # Given deliveries 31 days old (delivered, failed, pending) and a delivered one of today
    deliveries(services, 2, "delivered", 31 * DAY)
    deliveries(services, 1, "failed", 31 * DAY)
    deliveries(services, 1, "pending", 31 * DAY)
    deliveries(services, 1, "delivered", DAY)
    events = services.store.recorder.max_notification_id()
    # When retention runs
    assert services.retention is not None
    services.retention.purge()
    # Then the finished old ones and every old attempt went; the events are untouched
    assert count(services, "webhook_deliveries") == 2
    assert count(services, "webhook_deliveries", "status = 'pending'") == 1
    assert count(services, "webhook_attempts") == 1
    assert services.store.recorder.max_notification_id() == events


def test_a_run_deletes_in_bounded_batches_and_the_next_run_goes_on(services: Services) -> None:
    # Given 1,200 old claims and a retention of two batches of 500 a run
    claims(services, 1_200, time.time() - 8 * 86_400)
    rule = Rule("work_claims", "until < ?", timedelta(days=7), wall_clock=True)
    retention = Retention(services.views.db, services.clock, [rule], batch=500, batches=2)
    # When it runs twice
    first, second = retention.purge(), retention.purge()
    # Then the first run stopped at 1,000 rows and the second took the rest
    assert (first, second) == (1_000, 200)
    assert retention.counts() == {"work_claims": 1_200.0}


def test_every_table_retention_purges_is_counted_zero_included(services: Services) -> None:
    # Given nothing old, When retention runs
    assert services.retention is not None
    services.retention.purge()
    # Then every table it keeps short has a count, the stores' own purges too
    assert services.retention.counts() == dict.fromkeys(
        [
            "work_claims",
            "webhook_attempts",
            "webhook_deliveries",
            "idempotency_keys",
            "console_sessions",
            "console_sign_in_links",
        ],
        0.0,
    )


def test_metrics_count_purged_rows_by_table(services: Services) -> None:
    claims(services, 2, time.time() - 8 * 86_400)
    assert services.retention is not None
    services.retention.purge()
    text = TestClient(create_app(services)).get("/metrics").text  # no lifespan: no background
    assert 'tenantry_retention_purged_rows_total{table="work_claims"} 2.0' in text
