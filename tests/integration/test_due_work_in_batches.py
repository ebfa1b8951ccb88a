"""Due work in batches on every backend: many customers read together, many deadlines
claimed in one statement, decisions saved together, and one at a time when that fails."""

from __future__ import annotations

import threading
import time
from collections import Counter
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Services
from application.mail import Email, MailTransport
from domain.customer import Customer, Deadline, DeadlineKind
from domain.partner import Partner
from domain.values import LogLevel
from tests.support.clocks import START
from tests.support.world import World


class CountingMail:
    def __init__(self, inner: MailTransport) -> None:
        self.inner = inner
        self.sent: Counter[str] = Counter()
        self.lock = threading.Lock()

    def send(self, email: Email) -> None:
        self.inner.send(email)
        with self.lock:
            self.sent[email.message_id] += 1


def test_customers_read_together_are_as_read_one_by_one(services: Services) -> None:
    world = World(services)
    plain, long, stale = world.add(), world.add(), world.add()
    services.customers.activate(long, link_version=1)
    for n in range(60):  # past the snapshot interval (50): read from the snapshot on
        services.customers.log_import_message(
            long, level=LogLevel.INFO, message=f"step {n}", by=world.importer
        )
    uow = services.customers.uow
    uow.saved.put(uow.load(Customer, stale, version=1))  # this process saw it at version 1
    services.customers.record_activation_sent(stale, link_version=1, message_id="<m@t>")
    uow.saved.put(uow.load(Customer, stale, version=1))

    loaded = uow.load_many(Customer, [plain, long, stale, uuid4(), world.msp_id])

    assert set(loaded) == {plain, long, stale}  # no such customer: left out
    for customer_id, customer in loaded.items():
        fresh = uow.load(Customer, customer_id)
        assert (customer.version, customer.state) == (fresh.version, fresh.state)
    assert loaded[long].version == 62
    assert loaded[stale].state.activation_sent_version == 1
    assert set(uow.load_many(Partner, [world.msp_id, plain])) == {world.msp_id}


def test_one_statement_claims_the_free_deadlines_of_a_batch(services: Services) -> None:
    claims = services.due_work
    free, held, expired = (Deadline(UUID(int=n), DeadlineKind.TRIAL_END, START) for n in (1, 2, 3))
    now = time.time()
    assert claims.claim(held, "other", now + 60)
    assert claims.claim(expired, "other", now - 1)

    taken = claims.claim_many([expired, held, free], "me", now + 60)

    assert taken == [expired, free]  # in the order given; another's live claim is kept
    assert claims.claim_many([free, held], "me", now + 120) == [free]  # its own: renewed
    assert not claims.claim(free, "other", now + 60)


def test_a_batch_whose_save_conflicts_is_recorded_one_at_a_time_without_resending(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = World(services)
    ids = [world.add(email=f"c{i}@example.com") for i in range(3)]
    services.views.wait_until_current(10)
    mail = CountingMail(services.manager.mail)
    services.manager.mail = mail
    uow = services.customers.uow
    read_together = uow.load_many

    def another_writer_lands_meanwhile(kind: type, ids_: list[UUID]) -> dict[UUID, object]:
        found = read_together(kind, ids_)
        if kind is Customer:
            services.customers.set_automatic_upgrade(ids[1], enabled=False, by=world.msp)
        return found  # type: ignore[return-value]

    monkeypatch.setattr(uow, "load_many", another_writer_lands_meanwhile)
    report = services.manager.sweep()

    assert "3 deadlines saved together failed: one at a time" in caplog.messages
    assert (report.done, report.failed, report.emails_sent) == (3, 0, 3)
    assert sorted(mail.sent.values()) == [1, 1, 1]  # sent once each, before the save
    assert all(world.types(i).count("ActivationSent") == 1 for i in ids)


def test_a_batch_whose_read_fails_is_done_one_at_a_time(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = World(services)
    ids = [world.add(email=f"c{i}@example.com") for i in range(3)]
    services.views.wait_until_current(10)

    def broken(*args: object) -> None:
        raise RuntimeError("the read together failed")

    monkeypatch.setattr(services.customers.uow, "load_many", broken)
    report = services.manager.sweep()

    assert "3 deadlines read together failed: one at a time" in caplog.messages
    assert (report.done, report.failed, report.emails_sent) == (3, 0, 3)
    assert all(world.types(i).count("ActivationSent") == 1 for i in ids)


def test_a_batch_whose_emails_outlast_half_the_lease_renews_it_for_the_rest(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(services)
    ids = [world.add(email=f"c{i}@example.com") for i in range(3)]
    services.views.wait_until_current(10)
    renewals: list[int] = []
    claim_many = services.due_work.claim_many

    def counting(deadlines: list[Deadline], owner: str, until: float) -> list[Deadline]:
        renewals.append(len(deadlines))
        return claim_many(deadlines, owner, until)

    monkeypatch.setattr(services.due_work, "claim_many", counting)
    monkeypatch.setattr("application.process_manager.LEASE_S", 0.0)  # every email: late
    report = services.manager.sweep()

    assert renewals == [3, 3, 2, 1]  # the batch, then what is left before each email
    assert (report.done, report.emails_sent) == (3, 3)
    assert all(world.types(i).count("ActivationSent") == 1 for i in ids)
