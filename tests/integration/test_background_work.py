"""Background work on real databases: two workers, the settled test clock, claims."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from adapters.clock_store import PersistedTestClock
from adapters.work_claims import WorkClaims
from api.bootstrap import Services
from application.clock import TestClock
from application.lists import ListQuery
from application.mail import Email, MailTransport
from domain.customer import Deadline, DeadlineKind
from domain.values import Actor
from tests.support.clocks import START, a_clock
from tests.support.principals import an_importer, an_msp
from tests.support.world import open_services


class CountingMail:
    """Counts what each worker hands over, by Message-ID, then passes it on."""

    def __init__(self, inner: MailTransport) -> None:
        self.inner = inner
        self.sent: Counter[str] = Counter()
        self.lock = threading.Lock()

    def send(self, email: Email) -> None:
        self.inner.send(email)
        with self.lock:
            self.sent[email.message_id] += 1


def a_customer(services: Services, partner_id: UUID, msp: Actor, name: str, email: str) -> UUID:
    return services.customers.add(
        partner_id=partner_id,
        organization_name=name,
        notification_email=email,
        sku="ESSENTIALS_MSP_2025",
        addons=[],
        by=msp,
    ).customer.id


def wait_until(condition: object, timeout: float = 300.0) -> None:
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def count(services: Services, sql: str) -> int:
    return int(next(iter(services.views.db.rows(sql)[0].values())))


def event_counts(services: Services, topic: str) -> Counter[UUID]:
    counts: Counter[UUID] = Counter()
    position = 0
    while batch := services.store.recorder.select_notifications(
        position, 1000, inclusive_of_start=False
    ):
        counts.update(UUID(str(n.originator_id)) for n in batch if n.topic == topic)
        position = batch[-1].id
    return counts


@pytest.mark.parametrize(
    ("backend", "customers"),
    [("sqlite", 300), pytest.param("postgres", 600, marks=pytest.mark.postgres)],
)
def test_two_workers_do_every_deadline_exactly_once(
    backend: str, customers: int, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = str(request.getfixturevalue(f"{backend}_url"))
    clock = a_clock()
    first = open_services(url, clock, outbox_dir=tmp_path / "outbox")
    second = open_services(url, clock, outbox_dir=tmp_path / "outbox")
    mail = CountingMail(first.manager.mail)
    first.manager.mail = second.manager.mail = mail
    first.manager.batch_size = second.manager.batch_size = 50  # both get some of it
    try:
        partner_id, msp = an_msp(first, "Busy MSP")
        importer = an_importer(first)
        ids = [
            a_customer(first, partner_id, msp, f"Customer {i}", f"c{i}@example.com")
            for i in range(customers)
        ]
        first.start_background()
        second.start_background()
        wait_until(lambda: len(event_counts(first, "Customer.ActivationSent")) == customers)
        for n, customer_id in enumerate(ids):
            services = first if n % 2 else second
            services.customers.activate(customer_id, link_version=1)
            services.customers.complete_import(customer_id, by=importer)
        clock.advance(timedelta(days=15))
        wait_until(lambda: len(event_counts(first, "Customer.UpgradedToProduction")) == customers)
        time.sleep(1.0)  # a duplicate would land now, if the workers could make one

        sent = event_counts(first, "Customer.ActivationSent")
        upgraded = event_counts(first, "Customer.UpgradedToProduction")
        assert set(sent) == set(upgraded) == set(ids)  # zero missed
        assert set(sent.values()) == set(upgraded.values()) == {1}  # zero duplicates
        assert len(mail.sent) == customers
        assert set(mail.sent.values()) == {1}
        assert sum(1 for _ in (tmp_path / "outbox").glob("*.eml")) == customers
        assert first.manager.emails_sent + second.manager.emails_sent == customers
        assert first.manager.emails_sent > 0
        assert second.manager.emails_sent > 0
    finally:
        first.close()
        second.close()


def test_an_api_process_with_sweeping_off_follows_the_views_and_leaves_due_work_to_a_worker(
    sqlite_url: str, tmp_path: Path
) -> None:
    clock = a_clock()
    outbox = tmp_path / "outbox"
    api = open_services(sqlite_url, clock, outbox_dir=outbox, sweep=False)
    worker = open_services(sqlite_url, clock, outbox_dir=outbox)
    try:
        api.start_background()
        assert api.background_running  # ready: it runs what it was asked to
        assert not api.sweeper.running
        partner_id, msp = an_msp(api)
        added = a_customer(api, partner_id, msp, "Contoso", "it@contoso.example")
        assert api.views.wait_until_current(5.0)
        time.sleep(0.5)
        assert not event_counts(api, "Customer.ActivationSent")  # nobody sweeps yet

        worker.start_background()
        wait_until(lambda: event_counts(api, "Customer.ActivationSent") == {added: 1}, 30)
        assert api.manager.emails_sent == 0
        assert worker.manager.emails_sent == 1
    finally:
        api.close()
        worker.close()


def test_advancing_the_test_clock_answers_once_everything_due_is_done(
    database_url: str, tmp_path: Path
) -> None:
    clock = a_clock()
    services = open_services(database_url, clock, outbox_dir=tmp_path / "outbox")
    try:
        partner_id, msp = an_msp(services)
        importer = an_importer(services)
        customer_id = a_customer(services, partner_id, msp, "Contoso", "it@contoso.example")

        assert services.advance_clock(timedelta(seconds=1))
        assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
        services.customers.activate(customer_id, link_version=1)
        services.customers.complete_import(customer_id, by=importer)
        assert services.advance_clock(timedelta(days=11))
        assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2  # the notice
        assert services.advance_clock(timedelta(days=3))

        page = services.lists.onboarded(ListQuery(msp, 10))
        [customer] = page.items
        assert customer.state.status == "PRODUCTION"
        assert services.due_work.due(services.clock.now(), 10) == []
    finally:
        services.close()


def test_a_claim_keeps_a_deadline_from_a_second_worker_until_it_expires(
    sqlite_url: str, clock: TestClock
) -> None:
    services = open_services(sqlite_url, clock)
    try:
        claims = WorkClaims(services.views.db)
        deadline = Deadline(UUID(int=1), DeadlineKind.TRIAL_END, START)
        now = time.time()
        assert claims.claim(deadline, "a", now + 60)
        assert not claims.claim(deadline, "b", now + 60)
        assert claims.claim(deadline, "a", now + 120)  # its owner may extend it
        moved = Deadline(UUID(int=1), DeadlineKind.TRIAL_END, START + timedelta(days=7))
        assert claims.claim(moved, "b", now + 60)  # a new due time is new work
        assert claims.claim(moved, "a", now - 1) is False
        expired = Deadline(UUID(int=2), DeadlineKind.TRIAL_END, START)
        assert claims.claim(expired, "a", now - 1)
        assert claims.claim(expired, "b", now + 60)  # an expired claim is free
    finally:
        services.close()


@pytest.fixture
def persisted(sqlite_url: str, clock: TestClock) -> Iterator[Services]:
    services = open_services(sqlite_url, clock)
    yield services
    services.close()


def test_the_persisted_test_clock_is_shared_and_only_moves_forward(persisted: Services) -> None:
    one = PersistedTestClock(persisted.views.db)
    other = PersistedTestClock(persisted.views.db)  # as another process would see it
    start = one.now()
    one.advance(timedelta(days=2))
    assert other.now() == start + timedelta(days=2)
    with pytest.raises(ValueError, match="forward"):
        other.advance(timedelta(seconds=-1))
    assert one.now() == start + timedelta(days=2)
