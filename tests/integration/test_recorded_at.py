"""``recorded_at`` never goes backwards: not after a run on the test clock (which may
be ahead of the wall clock), and not for events other processes recorded."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from eventsourcing.persistence import StoredEvent

from api.bootstrap import Services, build
from application.clock import TestClock
from domain.customer import Customer
from domain.values import PartnerKind
from tests.support.backends import on_both_databases
from tests.support.principals import ADMIN
from tests.support.settings import settings_for

AHEAD = timedelta(days=30)


def recorded(services: Services) -> list[datetime]:
    lines = services.audit.export_lines(services.store.mapper)
    return [datetime.fromisoformat(line["recorded_at"]) for line in lines]


@on_both_databases
def test_a_restart_on_the_system_clock_after_the_test_clock_records_no_earlier_instant(
    backend_url: str,
) -> None:
    ahead = TestClock(datetime.now(UTC) + AHEAD)
    first = build(settings_for(backend_url), ahead)
    try:
        first.partners.register(name="On the test clock", kind=PartnerKind.MSP, by=ADMIN)
    finally:
        first.close()

    restarted = build(settings_for(backend_url))  # the system clock
    try:
        restarted.partners.register(name="On the system clock", kind=PartnerKind.MSP, by=ADMIN)
        instants = recorded(restarted)
    finally:
        restarted.close()

    assert len(instants) == 4
    assert instants == sorted(instants)
    assert instants[-1] >= ahead.now()


@on_both_databases
def test_an_instant_recorded_by_another_process_is_not_undercut(backend_url: str) -> None:
    system = build(settings_for(backend_url))
    other = build(settings_for(backend_url), TestClock(datetime.now(UTC) + AHEAD))
    try:
        system.start_background(sweep=False)
        other.partners.register(name="Elsewhere, later", kind=PartnerKind.MSP, by=ADMIN)
        give_up = time.monotonic() + 20
        while system.views.follower.position < 2 and time.monotonic() < give_up:
            time.sleep(0.05)
        assert system.views.follower.position >= 2

        system.partners.register(name="Here", kind=PartnerKind.MSP, by=ADMIN)
        instants = recorded(system)
    finally:
        other.close()
        system.close()

    assert instants == sorted(instants)


def test_an_unreadable_newest_event_does_not_stop_a_start_on_the_system_clock(
    sqlite_url: str,
) -> None:
    first = build(settings_for(sqlite_url), TestClock(datetime.now(UTC) + AHEAD))
    try:
        first.partners.register(name="Readable", kind=PartnerKind.MSP, by=ADMIN)
        state = json.dumps({"organization_name": "no envelope"}).encode()
        first.store.recorder.insert_events(
            [StoredEvent(uuid.uuid4(), 1, Customer.Created.TOPIC, state)]
        )
    finally:
        first.close()

    restarted = build(settings_for(sqlite_url))  # the system clock
    try:
        partner, _ = restarted.partners.register(name="Later", kind=PartnerKind.MSP, by=ADMIN)
    finally:
        restarted.close()

    assert partner.created_at >= datetime.now(UTC) + AHEAD - timedelta(minutes=5)
