"""Erasure on every backend, and on every read path: after it, the address and the
importer's messages read as null, with ``erased``, wherever the customer is read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import pytest

from adapters.data_keys import ERASED
from api.bootstrap import Services
from application.clock import TestClock
from application.lists import ListQuery
from application.webhook_payloads import Occurrence, payload
from domain.aggregate import DomainEvent
from domain.errors import Forbidden, InvalidState
from domain.values import LogLevel
from tests.support.principals import ADMIN, AUDITOR
from tests.support.world import World, open_services


@pytest.fixture
def services(database_url: str, clock: TestClock) -> Iterator[Services]:
    """Snapshots every 3 events, so a snapshot taken before the erasure is read too."""
    with closing(open_services(database_url, clock, snapshot_interval=3)) as app:
        yield app


def an_erased_customer(services: Services, world: World, address: str) -> tuple[UUID, int]:
    """A customer onboarded with messages that name people, then erased; the position
    its erasure landed at."""
    customer_id = world.add(email=address)
    customers = services.customers
    customers.activate(customer_id, link_version=1)
    customers.log_import_message(
        customer_id, level=LogLevel.INFO, message=f"mailbox of {address}", by=world.importer
    )
    customers.record_import_failure(
        customer_id, code="E1", message=f"quota of {address}", by=world.importer
    )
    customers.complete_import(customer_id, by=world.importer)
    world.clock.advance(timedelta(hours=1))
    outcome = services.privacy.erase(customer_id, reason="GDPR request 7", by=world.msp)
    assert outcome.position is not None
    world.clock.advance(timedelta(hours=1))
    return customer_id, outcome.position


def unique_address() -> str:
    return f"erase-{uuid4().hex[:10]}@privacy.example"


def test_before_the_erasure_the_personal_data_is_read_back_and_listed(services: Services) -> None:
    world = World(services)
    address = unique_address()
    customer_id = world.add(email=address)
    world.current()

    read = services.queries.get(customer_id, by=world.msp)
    assert (read.notification_email, read.erased) == (address, False)
    held = services.privacy.held(customer_id, by=AUDITOR)
    assert not held.erased
    places = {(h.where, h.table, h.field, h.version) for h in held.holdings if h.value == address}
    assert ("event", None, "notification_email", 1) in places
    assert ("view", "view_pending_customers", "notification_email", None) in places
    assert any(h.where == "pending_email" for h in held.holdings)


def test_every_read_path_after_the_erasure_reads_null_and_erased(services: Services) -> None:
    world = World(services)
    address = unique_address()
    customer_id, position = an_erased_customer(services, world, address)
    world.current()

    def clear(value: Any) -> None:
        assert address not in json.dumps(value, default=str)

    # The customer now, at a version, and as of an instant before the erasure.
    now = services.queries.get(customer_id, by=world.msp)
    assert (now.notification_email, now.erased) == (None, True)
    assert [e.message for e in now.onboarding.event_log] == [None]
    assert [e.message for e in now.onboarding.import_errors] == [None]
    first = services.queries.get(customer_id, by=ADMIN, version=1)
    assert (first.notification_email, first.erased) == (None, True)
    before = services.queries.get(
        customer_id, by=AUDITOR, as_of=world.clock.now() - timedelta(hours=1, minutes=30)
    )
    assert (before.notification_email, before.erased) == (None, True)
    clear(before.model_dump(mode="json"))

    # The history: the erasure says who, when and why; earlier events are erased.
    history = services.queries.history(customer_id, by=world.msp)
    clear(history.model_dump(mode="json"))
    assert history.events[0].data["notification_email"] is None
    assert history.events[0].data["erased"] is True
    last = history.events[-1]
    assert (last.type, last.data, last.actor.id) == (
        "PersonalDataErased",
        {"reason": "GDPR request 7"},
        world.msp.id,
    )

    # The lists (the views), and a rebuild of them.
    [listed] = services.lists.onboarded(_query(world), None).items
    assert (listed.state.notification_email, listed.state.erased) == (None, True)
    services.views.rebuild()
    [rebuilt] = services.lists.onboarded(_query(world), None).items
    assert (rebuilt.state.notification_email, rebuilt.state.erased) == (None, True)
    assert services.privacy.held(customer_id, by=ADMIN).holdings == []

    # The events feed and the webhooks' payloads (built from the history).
    page = services.events.page(by=world.msp, after=None, types=[], limit=100)
    bodies = [json.loads(item) for item in page.items]
    clear(bodies)
    assert bodies[-1]["type"] == "customer.personal_data_erased"
    assert all(b["data"]["erased"] for b in bodies)
    created = payload(services.uow, Occurrence(customer_id, 1, "customer.created", 1))
    assert address.encode() not in created

    # The audit export, and the audit still verifies.
    services.audit.seal()
    lines = list(services.audit.export_lines(services.store.mapper))
    clear(lines)
    assert services.audit.verify() == []
    assert position >= 1


def test_only_the_owner_and_the_admin_erase_and_only_once(services: Services) -> None:
    world = World(services)
    customer_id = world.add(email=unique_address())
    with pytest.raises(Forbidden):
        services.privacy.erase(customer_id, reason="asked", by=world.distributor)
    services.privacy.erase(customer_id, reason="asked", by=ADMIN)
    with pytest.raises(InvalidState):
        services.privacy.erase(customer_id, reason="again", by=world.msp)


def test_subject_access_is_for_the_owner_auditors_and_the_admin(services: Services) -> None:
    world = World(services)
    customer_id = world.add(email=unique_address())
    for reader in (world.msp, AUDITOR, ADMIN):
        assert services.privacy.held(customer_id, by=reader).customer_id == customer_id
    with pytest.raises(Forbidden):
        services.privacy.held(customer_id, by=world.distributor)


def test_no_email_is_sent_to_an_erased_customer(services: Services) -> None:
    world = World(services)
    customer_id = world.add(email=unique_address())
    services.privacy.erase(customer_id, reason="asked", by=world.msp)
    world.current()

    report = services.manager.sweep()
    assert report.emails_sent == 0
    events = [cast(DomainEvent, e) for e in services.store.events.get(customer_id)]
    assert [type(e).__name__ for e in events] == ["Created", "PersonalDataErased"]


def test_the_data_key_is_gone_and_snapshots_hold_no_clear_text(services: Services) -> None:
    world = World(services)
    address = unique_address()
    customer_id, _ = an_erased_customer(services, world, address)
    store = services.store
    assert store.data_keys.key(customer_id) is ERASED
    assert store.recorder.select_data_keys([customer_id]) == {customer_id: None}  # type: ignore[attr-defined]
    snapshots = list(store.snapshots.get(customer_id)) if store.snapshots else []
    for snapshot in snapshots:
        assert address not in json.dumps(snapshot.state)  # type: ignore[attr-defined]


def _query(world: World) -> ListQuery:
    return ListQuery(world.msp, 50)
