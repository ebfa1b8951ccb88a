"""The process manager and the mailer against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.smtp import SmtpTransport
from api.bootstrap import Services
from application.clock import TestClock
from application.process_manager import ProcessManager
from tests.support.due_work import DeadlinesFromAggregates
from tests.support.principals import ADMIN
from tests.support.smtp import SmtpServer
from tests.support.world import World, open_services


class ProcessKilled(BaseException):
    """Nothing after it runs in the process (as with kill -9)."""


@pytest.fixture
def services(clock: TestClock) -> Iterator[Services]:
    built = open_services("memory://", clock)
    yield built
    built.close()


def manager(services: Services, smtp: SmtpServer) -> ProcessManager:
    return ProcessManager(
        due_work=DeadlinesFromAggregates(services.store, services.settings.policy),
        customers=services.customers,
        uow=services.customers.uow,
        mail=SmtpTransport("127.0.0.1", smtp.port, "Tenantry <no-reply@example.com>"),
        links=services.links,
        clock=services.clock,
        policy=services.settings.policy,
    )


def test_activation_email_is_sent_over_smtp_then_recorded(
    services: Services, smtp: SmtpServer
) -> None:
    world = World(services)
    customer_id = world.add()

    report = manager(services, smtp).sweep()

    assert report.emails_sent == 1
    [message] = smtp.inbox.to("it@contoso.example")
    assert "Northwind MSP" in message["Subject"]
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"text/plain", "text/html"} <= parts.keys()
    body = parts["text/plain"].get_payload(decode=True).decode()
    assert services.links.url(customer_id, 1) in body
    history = services.queries.history(customer_id, by=ADMIN).events
    assert history[-1].type == "ActivationSent"
    assert history[-1].data["message_id"] == message["Message-ID"]


def test_an_smtp_outage_loses_no_email(services: Services, smtp: SmtpServer) -> None:
    world = World(services)
    customer_id = world.add()
    pm = manager(services, smtp)
    smtp.stop()

    failed = pm.sweep()
    assert failed.failed == 1
    assert "ActivationSent" not in world.types(customer_id)

    smtp.start()
    pm.not_before.clear()  # the backoff pause is over
    pm.due_work.claims.clear()  # type: ignore[attr-defined]
    delivered = pm.sweep()

    assert delivered.emails_sent == 1
    assert len(smtp.inbox.to("it@contoso.example")) == 1
    assert world.types(customer_id).count("ActivationSent") == 1


@pytest.mark.parametrize("customers", [1, 3])
def test_a_crash_between_sending_and_recording_resends_with_the_same_message_id(
    services: Services, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, customers: int
) -> None:
    world = World(services)
    ids = [world.add(email=f"c{i}@example.com") for i in range(customers)]
    pm = manager(services, smtp)

    def crash(*args: object, **kwargs: object) -> None:
        raise ProcessKilled

    with monkeypatch.context() as dying:  # a batch's save, or a deadline's own record
        dying.setattr(services.customers, "save_together", crash)
        dying.setattr(services.customers, "record_activation_sent", crash)
        with pytest.raises(ProcessKilled):
            pm.sweep()
    assert len(smtp.inbox.message_ids()) == customers  # sent, none recorded
    assert not any("ActivationSent" in world.types(i) for i in ids)
    pm.due_work.claims.clear()  # type: ignore[attr-defined]  # the lease of the dead process ran out
    pm.sweep()

    sent = smtp.inbox.message_ids()
    assert len(sent) == 2 * customers
    assert sorted(sent[:customers]) == sorted(sent[customers:])  # the same Message-IDs
    assert all(world.types(i).count("ActivationSent") == 1 for i in ids)


def test_the_notice_goes_out_three_days_before_the_trial_end_and_the_upgrade_at_it(
    services: Services, smtp: SmtpServer, clock: TestClock
) -> None:
    world = World(services)
    customer_id = world.onboarded_customer()
    pm = manager(services, smtp)
    pm.sweep()  # the activation email

    clock.advance(timedelta(days=11) - timedelta(seconds=1))
    assert pm.sweep().emails_sent == 0
    clock.advance(timedelta(seconds=1))
    assert pm.sweep().emails_sent == 1
    [notice] = [m for m in smtp.inbox.messages if "trial ends" in str(m["Subject"])]
    assert "UTC" in notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    clock.advance(timedelta(days=3))
    pm.sweep()
    customer = services.queries.get(customer_id, by=ADMIN)
    assert customer.status == "PRODUCTION"
    assert customer.production_since == customer.trial_ends_at


def test_a_late_sweep_upgrades_with_the_trial_end_as_its_effective_time(
    services: Services, smtp: SmtpServer, clock: TestClock
) -> None:
    world = World(services)
    customer_id = world.onboarded_customer()
    pm = manager(services, smtp)

    clock.advance(timedelta(days=30))  # the service was down over the deadlines
    pm.sweep()

    events = services.queries.history(customer_id, by=ADMIN).events
    upgrade = events[-1]
    assert upgrade.type == "UpgradedToProduction"
    trial_end = services.queries.get(customer_id, by=ADMIN).trial_ends_at
    assert upgrade.effective_at == trial_end
    assert upgrade.recorded_at == clock.now()
    assert "UpgradeNoticeSent" not in [e.type for e in events]  # too late for a notice


def test_a_held_trial_gets_no_notice_and_expires(
    services: Services, smtp: SmtpServer, clock: TestClock
) -> None:
    world = World(services)
    customer_id = world.onboarded_customer()
    services.customers.set_automatic_upgrade(customer_id, enabled=False, by=world.msp)
    pm = manager(services, smtp)
    pm.sweep()

    clock.advance(timedelta(days=14))
    pm.sweep()

    types = world.types(customer_id)
    assert "UpgradeNoticeSent" not in types
    assert types[-1] == "TrialExpired"


def test_an_extension_after_the_notice_brings_a_new_notice_for_the_new_date(
    services: Services, smtp: SmtpServer, clock: TestClock
) -> None:
    world = World(services)
    customer_id = world.onboarded_customer()
    pm = manager(services, smtp)
    clock.advance(timedelta(days=11))
    pm.sweep()
    services.customers.extend_trial(customer_id, by=world.msp)

    clock.advance(timedelta(days=7))
    pm.sweep()

    assert world.types(customer_id).count("UpgradeNoticeSent") == 2
    notices = [m for m in smtp.inbox.messages if "trial ends" in str(m["Subject"])]
    assert len({m["Message-ID"] for m in notices}) == 2


def test_two_managers_sweeping_together_record_each_deadline_once(
    services: Services, smtp: SmtpServer, clock: TestClock
) -> None:
    world = World(services)
    ids = [world.add(email=f"c{i}@example.com") for i in range(40)]
    first, second = manager(services, smtp), manager(services, smtp)
    second.due_work = first.due_work  # one view, two workers

    def sweep_together() -> None:
        threads = [threading.Thread(target=pm.sweep) for pm in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    sweep_together()  # activation emails
    for customer_id in ids:
        world.onboard(customer_id)
    clock.advance(timedelta(days=15))
    sweep_together()  # upgrades

    for customer_id in ids:
        types = world.types(customer_id)
        assert types.count("ActivationSent") == 1
        assert types.count("UpgradedToProduction") == 1
    assert len(smtp.inbox.message_ids()) == len(set(smtp.inbox.message_ids())) == 40
