"""``tenantry projections rebuild`` on a history with an event it cannot read: exit 1
and one line naming the event's position and type, not its data (no traceback)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from eventsourcing.persistence import StoredEvent

from application.clock import SystemClock
from domain.customer import Customer
from tests.support.cli import add_customers, sqlite_file_url, tenantry
from tests.support.world import open_services


def test_a_rebuild_that_cannot_read_an_event_names_it_and_exits_1(tmp_path: Path) -> None:
    add_customers(tmp_path, 1)
    services = open_services(sqlite_file_url(tmp_path), SystemClock())
    try:
        state = json.dumps({"organization_name": "Jane Doe"}).encode()
        services.store.recorder.insert_events(
            [StoredEvent(uuid.uuid4(), 1, Customer.Created.TOPIC, state)]
        )
        position = services.store.recorder.max_notification_id()
    finally:
        services.close()

    result = tenantry(tmp_path, "projections", "rebuild")

    assert result.returncode == 1, result.stderr
    assert f"event {position} ({Customer.Created.TOPIC})" in result.stderr
    assert "Jane Doe" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
