"""The bench's bulk-loaded customers are what the service itself would have stored: a
service with the bench's secret reads them, their MACs verify, their sealed addresses
open, and the views rebuilt from them hold every customer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from application.clock import TestClock
from benchmarks.fixtures import T0, load
from benchmarks.scale import ADMIN, SECRET, register_partners, services_for
from domain.values import Status

pytestmark = pytest.mark.postgres


def test_given_bulk_loaded_customers_then_the_service_reads_and_rebuilds_them(
    postgres_url: str, tmp_path: Path
) -> None:
    services = services_for(postgres_url, tmp_path / "outbox", TestClock(T0 - timedelta(days=1)))
    try:
        partners = register_partners(services, count=3)
        before = load(postgres_url, 0, partners, secret=SECRET.encode())  # the partners'
        events = load(postgres_url, 2 * 2_000 + 7, partners, secret=SECRET.encode())
        assert events - before == 4007 + 2 * 1002  # every fourth also activated, onboarded

        services.views.rebuild()

        onboarded = services.views.db.rows("SELECT id FROM view_customers ORDER BY id")
        pending = services.views.db.rows("SELECT id FROM view_pending_customers ORDER BY id")
        assert (len(onboarded), len(pending)) == (1002, 3005)
        trial = services.queries.get(onboarded[0]["id"], by=ADMIN)
        waiting = services.queries.get(pending[0]["id"], by=ADMIN)
        assert trial.status is Status.TRIAL
        assert trial.notification_email == waiting.notification_email == "a@b.co"
        assert {trial.partner_id, waiting.partner_id} <= set(partners)
    finally:
        services.close()
