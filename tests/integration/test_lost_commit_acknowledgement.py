"""A save whose commit landed but whose acknowledgement was lost.

The library retried an insert whose connection broke (a terminated backend): if the first
attempt had committed, the retry conflicted with the command's own events. Found by
tests/faults/test_postgres_backends_terminated.py, where such a write was answered 409
``invalid-state`` ("cannot complete the import while the customer is onboarded").
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from api.bootstrap import Services
from application.clock import TestClock
from domain.customer import Customer
from domain.values import Actor, LogLevel, ServiceRole
from tests.support.principals import ADMIN
from tests.support.world import World


def lose_the_next_acknowledgement(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next save commits, then its connection breaks before the acknowledgement."""
    real_save = services.store.save

    def save_then_conflict(*aggregates: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(services.store, "save", real_save)
        real_save(*aggregates, **kwargs)
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(services.store, "save", save_then_conflict)


def a_customer(services: Services) -> tuple[Actor, UUID]:
    """A customer of the world's MSP, and the MSP."""
    world = World(services)
    return world.msp, world.add()


def test_a_command_whose_commit_landed_succeeds_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, cid = a_customer(services)
    lose_the_next_acknowledgement(services, monkeypatch)

    held = services.customers.set_automatic_upgrade(cid, enabled=False, by=owner)

    assert held.position is not None
    assert held.customer.automatic_upgrade is False
    history = services.queries.history(cid, by=ADMIN).events
    assert [e.type for e in history] == ["Created", "UpgradeHeld"]


def test_a_creation_whose_commit_landed_succeeds(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    lose_the_next_acknowledgement(services, monkeypatch)
    _, cid = a_customer(services)  # the partner's registration lost its acknowledgement
    assert services.customers.uow.load(Customer, cid).version == 1


def test_a_conflict_with_another_writers_events_is_still_a_conflict(
    services: Services, clock: TestClock
) -> None:
    owner, cid = a_customer(services)
    uow = services.customers.uow
    theirs, mine = uow.load(Customer, cid), uow.load(Customer, cid)
    theirs.set_automatic_upgrade(enabled=False, at=clock.now(), by=owner)
    uow.save(theirs)
    mine.set_automatic_upgrade(enabled=False, at=clock.now(), by=owner)  # the same events

    with pytest.raises(IntegrityError):
        uow.save_once(mine)


def test_a_save_that_did_not_land_is_decided_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, cid = a_customer(services)
    real_save = services.store.save

    def break_once(*aggregates: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(services.store, "save", real_save)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services.store, "save", break_once)
    held = services.customers.set_automatic_upgrade(cid, enabled=False, by=owner)

    assert held.position is not None
    history = services.queries.history(cid, by=ADMIN).events
    assert [e.type for e in history] == ["Created", "UpgradeHeld"]


def test_a_snapshot_that_fails_after_the_events_landed_does_not_fail_the_command(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cid = a_customer(services)
    services.customers.activate(cid, link_version=1)  # version 2
    assert services.store.snapshots is not None
    real_put = services.store.snapshots.put

    def stored_then_conflict(*args: Any, **kwargs: Any) -> Any:
        real_put(*args, **kwargs)  # the library's retry after a lost acknowledgement
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services.store.snapshots, "put", stored_then_conflict)
    monkeypatch.setitem(services.store.snapshotting_intervals, Customer, 3)

    key = services.partners.register_service_account(
        role=ServiceRole.IMPORTER, name="importer", by=ADMIN
    ).api_key
    importer = services.auth.authenticate(key)
    assert importer is not None

    logged = services.customers.log_import_message(  # version 3: a snapshot is due
        cid, level=LogLevel.INFO, message="started", by=importer
    )

    assert logged.aggregate.version == 3
    history = services.queries.history(cid, by=ADMIN).events
    assert [e.type for e in history] == ["Created", "Activated", "ImportMessageLogged"]
