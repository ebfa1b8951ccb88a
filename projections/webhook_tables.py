"""The webhooks' tables: the owners and endpoints the projection keeps (rebuilt), and
the deliveries, their attempts and the endpoints' health (an outbox: kept across a
rebuild). ``projections/webhooks.py`` fills them; ``adapters/webhook_queue.py`` leases
and records deliveries in them."""

from __future__ import annotations

from projections.customer_owners import owners_table
from projections.schema import Table, column_list

OWNERS = owners_table("view_webhook_customers")
ENDPOINTS = Table(
    name="view_webhook_endpoints",
    columns=column_list(
        """
        id             {uuid} NOT NULL
        version        INTEGER NOT NULL
        partner_id     {uuid} NOT NULL
        event_types    {json} NOT NULL
        disabled       {bool} NOT NULL
        deleted        {bool} NOT NULL
        registered_at  {instant} NOT NULL
        """
    ),
    primary_key=("id",),
    indexes=(("partner_id",),),
)
DELIVERIES = Table(
    name="webhook_deliveries",
    columns=column_list(
        """
        id                TEXT NOT NULL
        endpoint_id       {uuid} NOT NULL
        partner_id        {uuid} NOT NULL
        customer_id       {uuid} NOT NULL
        customer_version  INTEGER NOT NULL
        position          BIGINT NOT NULL
        event_type        TEXT NOT NULL
        status            TEXT NOT NULL
        attempts          INTEGER NOT NULL
        next_attempt_at   {instant}
        created_at        {instant} NOT NULL
        last_status_code  INTEGER
        leased_by         TEXT
        leased_until      DOUBLE PRECISION
        """
    ),
    primary_key=("id",),
    indexes=(
        ("status", "next_attempt_at"),
        ("endpoint_id", "position"),
        ("endpoint_id", "status", "next_attempt_at"),
    ),
)
ATTEMPTS = Table(
    name="webhook_attempts",
    columns=column_list(
        """
        delivery_id  TEXT NOT NULL
        number       INTEGER NOT NULL
        at           {instant} NOT NULL
        status_code  INTEGER
        duration_ms  INTEGER NOT NULL
        excerpt      TEXT NOT NULL
        error        TEXT
        """
    ),
    primary_key=("delivery_id", "number"),
)
HEALTH = Table(
    name="webhook_endpoint_health",
    columns=(("endpoint_id", "{uuid} NOT NULL"), ("failing_since", "{instant}")),
    primary_key=("endpoint_id",),
)
ENQUEUE = (
    f"INSERT INTO {DELIVERIES.name} (id, endpoint_id, partner_id, customer_id, "
    "customer_version, position, event_type, status, attempts, next_attempt_at, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (id) DO NOTHING"
)
