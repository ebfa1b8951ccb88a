"""An address stored under an older, laxer rule: its email is one counted, logged failure,
never an exception out of the sweep nor a 500 from advance, and the others go out."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build
from application.clock import TestClock
from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.smtp import SmtpServer
from tests.support.world import World, open_services

POISON = [
    "=?utf-8?q?bob?=@example.com",  # the email library reads it as bob@example.com
    "=?utf-8?b??=@example.com",  # the email library cannot build the message at all
    "=?utf-8?b?YQ0KQmNjOiB4QHk=?=@example.com",  # an encoded CR LF: no header holds it
]
GOOD = ["first@contoso.example", "second@fabrikam.example"]


@pytest.fixture
def services(sqlite_url: str, smtp: SmtpServer, clock: TestClock) -> Iterator[Services]:
    built = open_services(
        sqlite_url, clock, smtp_host="127.0.0.1", smtp_port=smtp.port, test_clock=True
    )
    yield built
    built.close()


def stored_under_the_old_rule(
    world: World, addresses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as old_rule:
        old_rule.setattr("domain.customer.check_email", lambda value: value.strip())
        for address in addresses:
            world.add(email=address)


def emails_failed(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("tenantry_emails_failed_total "):
            return float(line.split()[1])
    raise AssertionError("no tenantry_emails_failed_total")


def test_an_unsendable_email_is_one_counted_failure_and_the_others_are_sent(
    services: Services,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World(services)
    stored_under_the_old_rule(world, POISON, monkeypatch)  # the oldest: due first
    for address in GOOD:
        world.add(email=address)
    admin = bearer(ADMIN_TOKEN)

    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        started = time.monotonic()
        with caplog.at_level(logging.ERROR):
            answer = client.post("/v1/test-clock/advance", json={"seconds": 1}, headers=admin)
        took = time.monotonic() - started

        assert answer.status_code == 200, answer.text
        assert took < 10  # settling does not wait for what cannot be sent
        assert sorted(r for rs, _ in smtp.inbox.delivered() for r in rs) == sorted(GOOD)
        assert emails_failed(client) == len(POISON)
        logged = [r.getMessage() for r in caplog.records if r.name == "application.process_manager"]
        assert len(logged) == len(POISON)
        assert all("not sent" in line and "cannot" in line for line in logged)
        assert not [r for r in caplog.records if r.name == "application.background"]

        again = client.post("/v1/test-clock/advance", json={"days": 1}, headers=admin)

        assert again.status_code == 200, again.text
        assert emails_failed(client) == len(POISON)  # backing off: not tried every sweep
        assert len(smtp.inbox.messages) == len(GOOD)


def test_the_sweep_itself_never_raises_for_an_unsendable_email(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(services)
    stored_under_the_old_rule(world, POISON[:1], monkeypatch)
    good = world.add(email=GOOD[0])
    services.views.wait_until_current(10)

    report = services.manager.sweep()

    assert (report.failed, report.emails_sent) == (1, 1)
    assert "ActivationSent" in world.types(good)


def test_an_email_set_aside_by_a_worker_is_not_waited_for_by_another_process(
    services: Services,
    smtp: SmtpServer,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker = build(services.settings, clock)  # another process on the same database
    try:
        world = World(services)
        stored_under_the_old_rule(world, POISON, monkeypatch)
        worker.start_background()
        give_up = time.monotonic() + 30
        while worker.manager.emails_failed < len(POISON):
            assert time.monotonic() < give_up, "the worker never tried"
            time.sleep(0.05)

        started = time.monotonic()
        assert services.advance_clock(timedelta(seconds=1))

        assert time.monotonic() - started < 10
        assert services.manager.emails_failed == 0  # set aside: not tried here either
        assert worker.manager.emails_failed == len(POISON)
    finally:
        worker.close()


def test_a_defect_in_one_deadlines_work_does_not_stop_the_others(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = World(services)
    broken, good = world.add(email="broken@contoso.example"), world.add(email=GOOD[0])
    services.views.wait_until_current(10)
    url = services.links.url

    def defect(customer_id: object, version: int) -> str:
        if customer_id == broken:
            raise KeyError("a defect")
        return url(customer_id, version)  # type: ignore[arg-type]

    monkeypatch.setattr(services.links, "url", defect)
    with caplog.at_level(logging.ERROR):
        report = services.manager.sweep()

    assert (report.failed, report.emails_sent) == (1, 1)
    assert "ActivationSent" in world.types(good)
    assert "ActivationSent" not in world.types(broken)
    assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records)
